"""Serving records to reviewers: fair under concurrency, with skipping, and stage rows kept in step with records.

A record handed to a reviewer is *claimed* for a while (QueueClaim): the claim holds one of its vote slots, so
while reviewer A looks at the record's last free slot, reviewer B is handed another record. Claims are created
only while holding the record's outcome row lock and after re-reading the slots, so two requests at the same
instant cannot both take the last slot.

Looking is not claiming for long: a claim expires after CLAIM_TTL (a couple of minutes) unless the screening page
that shows the record renews it (`queue_hold`, sent while the page is open and in use), and it is released as soon
as the page is left (`queue_release`); those live in screening/services/claims.py. A lead's management actions
(marking a full text not retrieved) never claim.
When nothing is offered, `queue_empty_why` says why, in numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from review.models import Record, Review
from screening.models import PilotRound, QueueClaim, QueueSkip, Stage, StageOutcome, Status, Vote
from screening.selectors import QUEUE_ORDERING, open_pilot, queue_key_for, screenable_records, stage_totals_forget
from screening.services.claims import CLAIM_TTL, has_free_slot, held_by_others
from screening.services.common import parse_stage, settings_for, votes_required

CANDIDATES_PER_TRY = 8
LOCKED_RETRIES = 3
_BUSY = StageOutcome()  # marker: the candidate's row was locked by another request


def _candidates(*, review: Review, stage: str, reviewer: User, skipped: bool, since: datetime) -> QuerySet:
    required = votes_required(review=review, stage=stage)
    outcomes = StageOutcome.objects.filter(
        review=review,
        stage=stage,
        status=Status.AWAITING,
        record__merged_into__isnull=True,
        record__removed_reason="",
    )
    pilot = open_pilot(review=review, stage=stage)
    if pilot is not None:
        # While a pilot round is open, everyone screens its sample and nothing else.
        outcomes = outcomes.filter(pilot=pilot)
    # NOT IN rather than NOT EXISTS: PostgreSQL reads my votes once into a hash and probes it per candidate,
    # whatever its statistics say. A reviewer far ahead of the others has thousands of records at the front of
    # the queue that wait for someone else's vote; an anti-join planned from stale statistics made each
    # request compare every one of them with every vote of mine.
    mine = Vote.objects.filter(stage=stage, reviewer=reviewer).values("record_id")
    skips = QueueSkip.objects.filter(stage=stage, reviewer=reviewer).values("record_id")
    outcomes = outcomes.exclude(record_id__in=mine)
    outcomes = outcomes.filter(record_id__in=skips) if skipped else outcomes.exclude(record_id__in=skips)
    held = Coalesce(held_by_others(stage=stage, reviewer=reviewer, since=since), Value(0))
    free = Coalesce(F("votes_required"), Value(required)) - F("vote_count") - held
    return outcomes.annotate(free=free).filter(free__gt=0).order_by(*QUEUE_ORDERING)


def queue_next_for(*, review: Review, stage: str, reviewer: User) -> Record | None:
    """The record this reviewer should screen next at the stage, claimed for them; None when nothing is left.

    The reviewer's live claim is returned again (a reload shows the same record). Otherwise records they have
    not skipped come first, in the review's order, then the ones they skipped.
    """
    served = queue_serve(review=review, stage=stage, reviewer=reviewer)
    return None if served is None else served.record


def queue_serve(*, review: Review, stage: str, reviewer: User) -> StageOutcome | None:
    """As queue_next_for, but the record's outcome row at the stage (its `.record` is the record to show)."""
    stage = parse_stage(stage)
    now = timezone.now()
    since = now - CLAIM_TTL
    claim = (
        QueueClaim.objects.filter(reviewer=reviewer, stage=stage, record__review=review, claimed_at__gte=since)
        .select_related("record")
        .first()
    )
    if claim is not None:
        still_open = StageOutcome.objects.filter(record=claim.record, stage=stage, status=Status.AWAITING).first()
        if still_open and not Vote.objects.filter(record=claim.record, stage=stage, reviewer=reviewer).exists():
            still_open.record = claim.record
            return still_open
    served = _claim_first_free(review=review, stage=stage, reviewer=reviewer, now=now, since=since)
    if served is not None:
        return served
    # Nothing free and unlocked right now: go through the candidates one by one, waiting for locked ones.
    for skipped in (False, True):
        ids = list(
            _candidates(review=review, stage=stage, reviewer=reviewer, skipped=skipped, since=since).values_list(
                "pk", flat=True
            )[:CANDIDATES_PER_TRY]
        )
        for _round in range(LOCKED_RETRIES):
            busy = False
            for outcome_id in ids:
                served = _try_claim(
                    review=review, outcome_id=outcome_id, reviewer=reviewer, now=now, since=since, wait=_round > 0
                )
                if served is _BUSY:
                    busy = True
                elif served is not None:
                    return served
            if not busy:
                break
            # Some candidates were being voted on or claimed right now: look again once they are settled.
            ids = list(
                _candidates(review=review, stage=stage, reviewer=reviewer, skipped=skipped, since=since).values_list(
                    "pk", flat=True
                )[:CANDIDATES_PER_TRY]
            )
    return None


@transaction.atomic
def _claim_first_free(
    *, review: Review, stage: str, reviewer: User, now: datetime, since: datetime
) -> StageOutcome | None:
    """The usual case, on PostgreSQL: lock the first fresh candidate that nobody else has locked right now (SKIP
    LOCKED, the classic work-queue pattern) and claim it if its slots, counted again under the lock, allow.

    This is the hottest path of the application (every vote asks for the next record), so it is three plain
    statements rather than the ORM's candidate query: the same conditions as `_candidates` (which the slower
    path below and SQLite use), checked by the same tests on both databases.
    """
    if connection.vendor != "postgresql":
        return None
    params: dict[str, Any] = {
        "review": review.pk,
        "stage": str(stage),
        "me": reviewer.pk,
        "required": votes_required(review=review, stage=stage),
        "since": since,
        "now": now,
        "awaiting": str(Status.AWAITING),
    }
    passed: list[int] = []
    with connection.cursor() as cursor:
        for _try in range(LOCKED_RETRIES):
            cursor.execute(_FIRST_FREE_SQL, {**params, "passed": passed})
            row = cursor.fetchone()
            if row is None:
                return None
            outcome_id = row[0]
            cursor.execute(_RELEASE_MY_CLAIMS_SQL, params)
            # The candidate query's snapshot may predate a claim committed a moment ago: this statement takes a
            # new one, under the row lock, and claims only if a slot is still free.
            cursor.execute(_CLAIM_IF_FREE_SQL, {**params, "outcome": outcome_id})
            if cursor.fetchone() is not None:
                return StageOutcome.objects.select_related("record").defer("record__raw").get(pk=outcome_id)
            passed.append(outcome_id)
    return None


def _sql(template: str) -> str:
    tables = {
        "outcome": StageOutcome._meta.db_table,
        "record": Record._meta.db_table,
        "vote": Vote._meta.db_table,
        "skip": QueueSkip._meta.db_table,
        "claim": QueueClaim._meta.db_table,
        "pilot": PilotRound._meta.db_table,
    }
    return template.format(held_by_others=_HELD_BY_OTHERS.format(**tables), **tables)


# Claims held by other reviewers that are still live, per record: each holds one of the record's vote slots.
_HELD_BY_OTHERS = """(SELECT COUNT(*) FROM {claim} c WHERE c.record_id = o.record_id AND c.stage = o.stage
                      AND c.reviewer_id <> %(me)s AND c.claimed_at >= %(since)s)"""

# Fresh records of the stage (not merged, not removed, not voted on or skipped by me), in the open pilot's sample
# while one is open, with a free slot, in queue order; locked, skipping rows other requests hold.
# NOT IN reads my votes once into a hash (see `_candidates`).
_FIRST_FREE_SQL = _sql(
    """
    SELECT o.id FROM {outcome} o JOIN {record} r ON r.id = o.record_id
    WHERE o.review_id = %(review)s AND o.stage = %(stage)s AND o.status = %(awaiting)s
      AND r.merged_into_id IS NULL AND r.removed_reason = ''
      AND (o.pilot_id = (SELECT p.id FROM {pilot} p WHERE p.review_id = %(review)s AND p.stage = %(stage)s
                                                      AND p.closed_at IS NULL ORDER BY p.id LIMIT 1)
           OR NOT EXISTS (SELECT 1 FROM {pilot} p WHERE p.review_id = %(review)s AND p.stage = %(stage)s
                                                  AND p.closed_at IS NULL))
      AND o.record_id NOT IN (SELECT v.record_id FROM {vote} v
                              WHERE v.review_id = %(review)s AND v.stage = %(stage)s AND v.reviewer_id = %(me)s)
      AND o.record_id NOT IN (SELECT s.record_id FROM {skip} s WHERE s.stage = %(stage)s AND s.reviewer_id = %(me)s)
      AND COALESCE(o.votes_required, %(required)s) - o.vote_count - {held_by_others} > 0
      AND o.id <> ALL(%(passed)s::bigint[])
    ORDER BY o.queue_key, o.record_id
    LIMIT 1
    FOR NO KEY UPDATE OF o SKIP LOCKED
    """
)

_RELEASE_MY_CLAIMS_SQL = _sql(
    """
    DELETE FROM {claim} c USING {record} r
    WHERE c.reviewer_id = %(me)s AND c.stage = %(stage)s AND r.id = c.record_id AND r.review_id = %(review)s
    """
)

_CLAIM_IF_FREE_SQL = _sql(
    """
    INSERT INTO {claim} (record_id, stage, reviewer_id, claimed_at)
    SELECT o.record_id, o.stage, %(me)s, %(now)s FROM {outcome} o
    WHERE o.id = %(outcome)s AND o.status = %(awaiting)s
      AND NOT EXISTS (SELECT 1 FROM {vote} v
                      WHERE v.record_id = o.record_id AND v.stage = o.stage AND v.reviewer_id = %(me)s)
      AND COALESCE(o.votes_required, %(required)s) - o.vote_count - {held_by_others} > 0
    RETURNING id
    """
)


def _claim(*, review: Review, outcome: StageOutcome, reviewer: User, now: datetime) -> None:
    QueueClaim.objects.filter(reviewer=reviewer, stage=outcome.stage, record__review=review).delete()
    QueueClaim.objects.create(record_id=outcome.record_id, stage=outcome.stage, reviewer=reviewer, claimed_at=now)


@transaction.atomic
def _try_claim(
    *, review: Review, outcome_id: int, reviewer: User, now: datetime, since: datetime, wait: bool = False
) -> StageOutcome | None:
    # First pass skip_locked: a record another request is voting on or claiming right now is passed over, not
    # waited for. If every candidate was busy, the next pass waits for the lock: those transactions are a few
    # queries long and each holds one outcome row only, so waiting is short and cannot deadlock.
    outcome = (
        StageOutcome.objects.select_for_update(skip_locked=not wait, of=("self",), no_key=True)
        .select_related("record")
        .filter(pk=outcome_id)
        .first()
    )
    if outcome is None:
        return _BUSY
    if not has_free_slot(review=review, outcome=outcome, reviewer=reviewer, since=since):
        return None
    _claim(review=review, outcome=outcome, reviewer=reviewer, now=now)
    return outcome


@dataclass(frozen=True, slots=True)
class QueueEmpty:
    """Why nothing was offered: the counts behind the message on an empty screening page."""

    held_by_others: int  # records whose last free slots are open on other reviewers' screens right now
    waiting_for_others: int  # records I voted on that still wait for other reviewers' votes
    pilot_open: bool

    @property
    def message(self) -> str:
        if self.held_by_others:
            n = self.held_by_others
            noun = "record is" if n == 1 else "records are"
            return f"{n} {noun} open with other reviewers; try again in a minute."
        if self.pilot_open:
            return "You have screened every record of the pilot sample; the main round starts when the lead closes it."
        if self.waiting_for_others:
            n = self.waiting_for_others
            noun = "record has" if n == 1 else "records have"
            return f"Every record has your vote or all the votes it needs; {n} {noun} your vote and wait for others."
        return "Every record at this stage has your vote or all the votes it needs."


def queue_empty_why(*, review: Review, stage: str, reviewer: User) -> QueueEmpty:
    """The counts behind an empty queue, read (never written) when `queue_serve` found nothing."""
    stage = parse_stage(stage)
    since = timezone.now() - CLAIM_TTL
    required = votes_required(review=review, stage=stage)
    awaiting = StageOutcome.objects.filter(
        review=review, stage=stage, status=Status.AWAITING, record__merged_into__isnull=True, record__removed_reason=""
    )
    pilot = open_pilot(review=review, stage=stage)
    if pilot is not None:
        awaiting = awaiting.filter(pilot=pilot)
    mine = Vote.objects.filter(stage=stage, reviewer=reviewer, review=review).values("record_id")
    held = Coalesce(held_by_others(stage=stage, reviewer=reviewer, since=since), Value(0))
    open_slots = Coalesce(F("votes_required"), Value(required)) - F("vote_count")
    held_elsewhere = (
        awaiting.exclude(record_id__in=mine)
        .annotate(held=held, open_slots=open_slots)
        .filter(held__gt=0, open_slots__gt=0, open_slots__lte=F("held"))
        .count()
    )
    return QueueEmpty(
        held_by_others=held_elsewhere,
        waiting_for_others=awaiting.filter(record_id__in=mine).count(),
        pilot_open=pilot is not None,
    )


def outcomes_sync(*, review: Review) -> int:
    """Create the missing title/abstract rows for screenable records; returns how many were added.

    Called by the actions that make records screenable (import, hand-added record, merge, split, restore, bundle)
    through review.extensions.records_changed, so no read has to catch up.
    """
    config = settings_for(review)
    have = StageOutcome.objects.filter(review=review, stage=Stage.TITLE_ABSTRACT).values("record_id")
    missing = screenable_records(review=review).exclude(pk__in=have).values_list("pk", "year")
    rows = [
        StageOutcome(
            review=review,
            record_id=pk,
            stage=Stage.TITLE_ABSTRACT,
            queue_key=queue_key_for(settings=config, stage=Stage.TITLE_ABSTRACT, record_id=pk, year=year),
        )
        for pk, year in missing.iterator(chunk_size=5000)
    ]
    StageOutcome.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    if rows:
        stage_totals_forget(review=review, stage=Stage.TITLE_ABSTRACT)
    return len(rows)


def queue_reorder(*, review: Review, stage: str, scores: dict[int, float] | None = None) -> int:
    """Recompute the stored queue keys of a stage (after the order or seed changed, or with ranker scores:
    {record id: score}, higher first; records without a score keep the review's order after the scored ones)."""
    stage = parse_stage(stage)
    config = settings_for(review)
    changed: list[StageOutcome] = []
    rows = StageOutcome.objects.filter(review=review, stage=stage).values_list("pk", "record_id", "record__year")
    offset = 0.0
    if scores:
        offset = 1e16  # unscored records go after every scored one
    for pk, record_id, year in rows.iterator(chunk_size=5000):
        score = scores.get(record_id) if scores else None
        key = queue_key_for(settings=config, stage=stage, record_id=record_id, year=year, score=score)
        changed.append(StageOutcome(pk=pk, queue_key=key if score is not None else key + offset))
    StageOutcome.objects.bulk_update(changed, ["queue_key"], batch_size=2000)
    return len(changed)
