"""Reads for the progress dashboard: per-stage totals, per-reviewer progress, agreement statistics, pilot rounds.

Blinding choice for agreement: the lead's figures use every record whose required votes are all in (decided or
in conflict); everyone else's use only records whose outcome is final. Conflicts are where reviewers disagree,
so the lead's kappa is the honest one while screening is under way; the others' cannot reveal anything about
records still open. Both use each vote's *independent* choice (as it stood when the votes were complete), so a
vote changed after discussing a conflict does not inflate agreement. Reviewers see their own row only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.contrib.auth.models import User
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce

from review.access import ReviewAccess
from review.models import Membership, Role
from screening.agreement import Agreement, cohen_kappa, fleiss_kappa
from screening.models import REVEALING_STATUSES, PilotRound, Stage, StageOutcome, Status, Vote
from screening.selectors import settings_for, stage_counts


@dataclass(frozen=True, slots=True)
class ReviewerProgress:
    user_id: int
    username: str
    done: int
    remaining: int
    conflicts: int


@dataclass(frozen=True, slots=True)
class PairAgreement:
    first: str
    second: str
    agreement: Agreement


@dataclass(slots=True)
class AgreementSummary:
    pairs: list[PairAgreement] = field(default_factory=list)
    fleiss: Agreement | None = None
    basis: str = ""


@dataclass(slots=True)
class StageProgress:
    stage: Stage
    counts: dict[str, object]
    reviewers: list[ReviewerProgress]
    agreement: AgreementSummary


def _required(stage: str, access: ReviewAccess) -> int:
    config = settings_for(access.review)
    return config.votes_required_full_text if stage == Stage.FULL_TEXT else config.votes_required_title_abstract


def reviewer_progress(*, access: ReviewAccess, user: User, stage: str) -> list[ReviewerProgress]:
    review = access.review
    needing = StageOutcome.objects.filter(
        review=review,
        stage=stage,
        status=Status.AWAITING,
        vote_count__lt=Coalesce(F("votes_required"), Value(_required(stage, access))),
    )
    open_total = needing.count()
    votes = Vote.objects.filter(review=review, stage=stage)
    # distinct: the join to the record's outcomes has a row per stage, which would count each vote again.
    per_user = votes.values("reviewer_id").annotate(
        done=Count("id", distinct=True),
        conflicts=Count(
            "id",
            distinct=True,
            filter=Q(record__stage_outcomes__stage=stage, record__stage_outcomes__status="conflict"),
        ),
    )
    waiting = dict(
        votes.filter(record_id__in=needing.values("record_id"))
        .values("reviewer_id")
        .annotate(n=Count("id"))
        .values_list("reviewer_id", "n")
    )
    figures = {row["reviewer_id"]: row for row in per_user}
    people = dict(
        Membership.objects.filter(review=review, role__in=[Role.REVIEWER, Role.ARBITER, Role.LEAD]).values_list(
            "user_id", "user__username"
        )
    )
    missing = set(figures) - set(people)
    if missing:
        people.update(User.objects.filter(pk__in=missing).values_list("pk", "username"))
    rows = [
        ReviewerProgress(
            user_id=pk,
            username=name,
            done=figures.get(pk, {}).get("done", 0),
            remaining=open_total - waiting.get(pk, 0),
            conflicts=figures.get(pk, {}).get("conflicts", 0),
        )
        for pk, name in sorted(people.items(), key=lambda item: item[1])
    ]
    return rows if access.is_lead else [row for row in rows if row.user_id == user.pk]


def agreement_for(*, access: ReviewAccess, stage: str, pilot: PilotRound | None = None) -> AgreementSummary:
    statuses = list(REVEALING_STATUSES) + ([Status.CONFLICT, Status.NOT_RETRIEVED] if access.is_lead else [])
    votes = Vote.objects.filter(
        review=access.review,
        stage=stage,
        record__stage_outcomes__stage=stage,
        record__stage_outcomes__status__in=statuses,
    ).exclude(independent_choice="")
    if pilot is not None:
        votes = votes.filter(record__stage_outcomes__pilot=pilot)
    by_record: dict[int, dict[str, str]] = defaultdict(dict)
    for record_id, username, choice in votes.values_list("record_id", "reviewer__username", "independent_choice"):
        by_record[record_id][username] = choice
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for ratings in by_record.values():
        for a, b in combinations(sorted(ratings), 2):
            pairs[(a, b)].append((ratings[a], ratings[b]))
    summary = AgreementSummary(
        pairs=[PairAgreement(a, b, cohen_kappa(data)) for (a, b), data in sorted(pairs.items())],
        basis="records with all votes in (decided or in conflict)" if access.is_lead else "decided records",
    )
    raters = {name for ratings in by_record.values() for name in ratings}
    if len(raters) > 2:
        summary.fleiss = fleiss_kappa([list(r.values()) for r in by_record.values()])
    return summary


def stage_progress(*, access: ReviewAccess, user: User) -> list[StageProgress]:
    counts = stage_counts(review=access.review)
    return [
        StageProgress(
            stage=stage,
            counts=counts[stage],
            reviewers=reviewer_progress(access=access, user=user, stage=stage),
            agreement=agreement_for(access=access, stage=stage),
        )
        for stage in Stage
    ]


@dataclass(frozen=True, slots=True)
class PilotDisagreement:
    record_id: int
    title: str
    votes: list[tuple[str, str]]  # (reviewer, independent choice)


@dataclass(slots=True)
class PilotSummary:
    pilot: PilotRound
    size: int
    complete: int
    agreement: AgreementSummary
    disagreements: list[PilotDisagreement]


def pilot_summary(*, access: ReviewAccess, pilot: PilotRound) -> PilotSummary:
    outcomes = StageOutcome.objects.filter(pilot=pilot)
    size = outcomes.count()
    visible = list(REVEALING_STATUSES) + ([Status.CONFLICT, Status.NOT_RETRIEVED] if access.is_lead else [])
    complete = outcomes.exclude(status=Status.AWAITING).count()
    ratings: dict[int, list[tuple[str, str]]] = defaultdict(list)
    titles: dict[int, str] = {}
    rows = (
        Vote.objects.filter(
            record__stage_outcomes__pilot=pilot, stage=pilot.stage, record__stage_outcomes__status__in=visible
        )
        .exclude(independent_choice="")
        .values_list("record_id", "record__title", "reviewer__username", "independent_choice")
        .order_by("record_id", "reviewer__username")
    )
    for record_id, title, username, choice in rows:
        ratings[record_id].append((username, choice))
        titles[record_id] = title
    disagreements = [
        PilotDisagreement(record_id, titles[rid], votes)
        for rid, votes in ratings.items()
        if len({choice for _, choice in votes}) > 1
    ]
    return PilotSummary(
        pilot=pilot,
        size=size,
        complete=complete,
        agreement=agreement_for(access=access, stage=pilot.stage, pilot=pilot),
        disagreements=disagreements,
    )
