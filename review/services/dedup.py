"""Deduplication in a review: run the pure engine, apply its groups, take people's decisions, split, log.

No record is ever deleted. A duplicate points at its group's kept (primary) record through `merged_into`, every
merge and undo is a MergeEvent (the dedup log), and people's verdicts are DuplicateDecisions that later runs obey.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models.functions import Left
from django.utils import timezone

from review import extensions
from review.dedup.engine import deduplicate
from review.dedup.model import DedupRecord, DedupResult, PairDecision
from review.dedup.prepare import ABSTRACT_CHARS, MAX_SHORT, MAX_TITLE
from review.errors import ServiceError
from review.models import DedupRun, DuplicateDecision, MergeEvent, PossibleDuplicate, Record, Review, Search
from review.services.jobs import enqueue, job_create, job_fail, job_progress, job_start, job_succeed
from review.services.reviews import audit


def _records_changed(review: Review, by: User | None) -> None:
    # After commit: the screening rows a merge or split implies are written by the action, not by a later read.
    transaction.on_commit(lambda: extensions.records_changed(review, by=by))


def locked_records(review: Review) -> set[int]:
    """Records that must not be hidden automatically (screening: records that already have votes)."""
    return extensions.locked_record_ids(review)


def dedup_start(*, review: Review, by: User | None) -> DedupRun:
    with transaction.atomic():
        job = job_create(review=review, kind="dedup", by=by)
        run = DedupRun.objects.create(review=review, job=job, started_by=by)
        audit(review=review, actor=by, action="dedup.started", run=run.pk)
        from review.tasks import dedup_run_task

        enqueue(dedup_run_task, run.pk, job=job)
    return run


def _engine_records(review: Review) -> list[DedupRecord]:
    # Long text is read by the prefix the engine compares (prepare.MAX_TITLE ...), so a record with a huge field
    # costs the run no more memory than any other.
    rows = Record.objects.filter(review=review, removed_reason="").values_list(
        "pk", Left("title", MAX_TITLE), "authors", "year", Left("journal", MAX_SHORT), "volume", "issue", "pages",
        "doi", "pmid", Left("abstract", ABSTRACT_CHARS + 100), "issn", "isbn", "search__database", "source_database",
        "search__kind", "search__other_method",
    )  # fmt: skip
    return [
        DedupRecord(
            id=str(pk),
            title=title,
            authors=authors or [],
            year=year,
            journal=journal,
            volume=volume,
            issue=issue,
            pages=pages,
            doi=doi,
            pmid=pmid,
            abstract=abstract,
            isbn_issn="; ".join([*(issn or []), *(isbn or [])]),
            source_db=database or source,
            other_methods=kind == Search.Kind.OTHER and other_method != Search.OtherMethod.REGISTER,
        )
        for (
            pk,
            title,
            authors,
            year,
            journal,
            volume,
            issue,
            pages,
            doi,
            pmid,
            abstract,
            issn,
            isbn,
            database,
            source,
            kind,
            other_method,
        ) in rows
    ]


def _engine_decisions(review: Review) -> list[PairDecision]:
    return [
        PairDecision(str(a), str(b), same)
        for a, b, same in DuplicateDecision.objects.filter(review=review)
        .order_by("decided_at", "id")
        .values_list("record_a_id", "record_b_id", "same")
    ]


def dedup_run(*, run_id: int) -> None:
    """The body of the dedup job. The engine runs outside any transaction; applying is one transaction, so a run
    that dies at any point leaves the previous state as it was."""
    run = DedupRun.objects.select_related("review", "job").get(pk=run_id)
    job = run.job
    if run.finished_at is not None or (job is not None and job.finished):
        return
    review = run.review
    records = _engine_records(review)
    if job is not None:
        job_start(job=job, total=len(records), message="Comparing records")

    def progress(done: int, total: int) -> None:
        if job is not None and (done == total or done % 5000 == 0):
            job_progress(job_id=job.pk, done=done, total=total, message="Comparing candidate pairs")

    try:
        # In-process tasks share the web process: keep them to one process. A worker lets the engine decide (it
        # stays single-process inside a daemonic prefork child, which cannot start a pool of its own).
        result = deduplicate(
            records,
            decisions=_engine_decisions(review),
            locked={str(pk) for pk in locked_records(review)},
            progress=progress,
            workers=1 if settings.CELERY_TASK_ALWAYS_EAGER else None,
            versions=review.dedup_versions,  # type: ignore[arg-type]  # a database constraint keeps it one of them
        )
        stats = dedup_apply(review=review, run=run, result=result)
    except Exception as error:
        if job is not None:
            job_fail(job=job, message=f"Deduplication failed; nothing was changed ({error.__class__.__name__})")
        raise
    if job is not None:
        job.total = len(records)
        job_succeed(job=job, result=stats, message=_summary(stats))


def _summary(stats: dict[str, int]) -> str:
    return (
        f"{stats['merged_now']} records merged, {stats['unmerged_now']} separated, "
        f"{stats['possible']} possible duplicates to check"
    )


def _evidence(result: DedupResult) -> dict[str, tuple[str, float]]:
    evidence: dict[str, tuple[str, float]] = {}
    for pair in result.merged_pairs:
        for record_id in (pair.a, pair.b):
            evidence.setdefault(record_id, (pair.reason, pair.score))
    return evidence


@transaction.atomic
def dedup_apply(*, review: Review, run: DedupRun, result: DedupResult) -> dict[str, int]:
    # Serialise runs of one review: a second run waits here and then applies onto the first one's state. NO KEY:
    # votes insert rows that reference the review (a key-share lock), and must not wait for a whole run.
    Review.objects.select_for_update(no_key=True).get(pk=review.pk)
    wanted: dict[int, int | None] = {}
    for group in result.groups:
        primary = int(result.primary[group[0]])
        for member in group:
            wanted[int(member)] = None if int(member) == primary else primary
    current = dict(Record.objects.filter(review=review, pk__in=list(wanted)).values_list("pk", "merged_into_id"))
    changes = {pk: target for pk, target in wanted.items() if pk in current and current[pk] != target}

    # Votes may have arrived while the engine ran: a record voted on since then is never hidden without a person.
    # Lock the rows first (a vote locks its record too), then look at the votes: no vote can slip in between.
    if changes:
        list(
            Record.objects.select_for_update(no_key=True).filter(pk__in=list(changes)).order_by("pk").values_list("pk")
        )
    locked_now = locked_records(review)
    held_back = [
        pk for pk, target in changes.items() if target is not None and current[pk] is None and pk in locked_now
    ]
    for pk in held_back:
        del changes[pk]

    now = timezone.now()
    evidence = _evidence(result)
    if changes:
        MergeEvent.objects.filter(record_id__in=list(changes), undone_at__isnull=True).update(
            undone_at=now, undo_reason=f"regrouped by deduplication run {run.pk}"
        )
        by_target: dict[int | None, list[int]] = defaultdict(list)
        for pk, target in changes.items():
            by_target[target].append(pk)
        for target, pks in by_target.items():
            Record.objects.filter(pk__in=pks).update(merged_into=target)
        MergeEvent.objects.bulk_create(
            MergeEvent(
                review=review,
                record_id=pk,
                kept_id=target,
                rule=evidence.get(str(pk), ("same group", None))[0][:300],
                score=evidence.get(str(pk), ("", None))[1],
                run=run,
            )
            for pk, target in changes.items()
            if target is not None
        )

    PossibleDuplicate.objects.filter(review=review, decision__isnull=True).delete()
    possible = [
        PossibleDuplicate(
            review=review,
            record_a_id=min(int(p.a), int(p.b)),
            record_b_id=max(int(p.a), int(p.b)),
            score=p.score,
            reason=p.reason[:300],
            run=run,
        )
        for p in result.possible
    ]
    possible += _held_back_pairs(review, run, held_back, wanted)
    PossibleDuplicate.objects.bulk_create(_unique_pairs(possible))

    stats = {
        "records": len(wanted),
        "groups": sum(1 for group in result.groups if len(group) > 1),
        "duplicates": Record.objects.filter(review=review, merged_into__isnull=False).count(),
        "merged_now": sum(1 for target in changes.values() if target is not None),
        "unmerged_now": sum(1 for target in changes.values() if target is None),
        "possible": PossibleDuplicate.objects.filter(review=review, decision__isnull=True).count(),
        "held_back": len(held_back),
    }
    run.finished_at = now
    run.stats = stats
    run.save(update_fields=["finished_at", "stats"])
    audit(review=review, actor=run.started_by, action="dedup.finished", run=run.pk, **stats)
    _records_changed(review, run.started_by)
    return stats


def _held_back_pairs(
    review: Review, run: DedupRun, held_back: list[int], wanted: dict[int, int | None]
) -> list[PossibleDuplicate]:
    pairs = []
    for pk in held_back:
        target = wanted[pk]
        if target is not None:
            a, b = sorted((pk, target))
            reason = "would have merged, but the record has screening votes: a person decides"
            pairs.append(
                PossibleDuplicate(review=review, record_a_id=a, record_b_id=b, score=1.0, reason=reason, run=run)
            )
    return pairs


def _unique_pairs(pairs: Iterable[PossibleDuplicate]) -> list[PossibleDuplicate]:
    seen: set[tuple[int, int]] = set()
    out = []
    for pair in pairs:
        key = (pair.record_a_id, pair.record_b_id)
        if key not in seen and key[0] != key[1]:
            seen.add(key)
            out.append(pair)
    return out


def _completeness(record: Record) -> tuple[int, int, int, int]:
    return (bool(record.abstract), bool(record.doi), bool(record.pmid), -record.pk)


def _kept_of(record: Record) -> Record:
    return record.merged_into if record.merged_into_id and record.merged_into else record


@transaction.atomic
def duplicate_decide(*, review: Review, pair: PossibleDuplicate, same: bool, by: User) -> DuplicateDecision:
    """A person's verdict on a possible pair: "same" merges the two groups, "different" keeps them apart for good."""
    pair = PossibleDuplicate.objects.select_for_update().get(pk=pair.pk, review=review)
    if pair.decision_id is not None:
        raise ServiceError("This pair has already been decided", code="conflict")
    decision = DuplicateDecision.objects.create(
        review=review, record_a_id=pair.record_a_id, record_b_id=pair.record_b_id, same=same, decided_by=by
    )
    pair.decision = decision
    pair.save(update_fields=["decision"])
    if same:
        a = Record.objects.select_related("merged_into").get(pk=pair.record_a_id)
        b = Record.objects.select_related("merged_into").get(pk=pair.record_b_id)
        _merge_groups(review=review, first=_kept_of(a), second=_kept_of(b), by=by)
        _records_changed(review, by)
    audit(review=review, actor=by, action="dedup.decided", a=pair.record_a_id, b=pair.record_b_id, same=same)
    return decision


def _merge_groups(*, review: Review, first: Record, second: Record, by: User) -> None:
    if first.pk == second.pk:
        return
    locked = locked_records(review)
    # Keep the record that already has votes (its votes stay visible); otherwise the more complete one.
    candidates = sorted((first, second), key=lambda r: (r.pk in locked, *_completeness(r)), reverse=True)
    kept, hidden = candidates
    members = [hidden.pk, *Record.objects.filter(merged_into=hidden).values_list("pk", flat=True)]
    list(Record.objects.select_for_update(no_key=True).filter(pk__in=members).values_list("pk"))
    MergeEvent.objects.filter(record_id__in=members, undone_at__isnull=True).update(
        undone_at=timezone.now(), undone_by=by, undo_reason=f"group joined to record {kept.pk}"
    )
    Record.objects.filter(pk__in=members).update(merged_into=kept)
    rule = f"decided the same by {by.get_username()}"
    MergeEvent.objects.bulk_create(
        MergeEvent(review=review, record_id=pk, kept=kept, rule=rule, decided_by=by) for pk in members
    )


@transaction.atomic
def group_split(*, review: Review, kept: Record, by: User, confirm: bool = False) -> list[int]:
    """Undo a duplicate group: every member becomes its own record again, and later runs keep them apart.

    Screening votes live on the kept record and stay with it; since splitting changes what reviewers voted on,
    a group whose kept record has votes is split only when the person confirms.
    """
    kept = Record.objects.select_for_update(no_key=True).get(pk=kept.pk, review=review)
    if kept.merged_into_id is not None:
        raise ServiceError(f"Record {kept.pk} is not the kept record of its group", code="invalid")
    members = list(Record.objects.select_for_update(no_key=True).filter(merged_into=kept).order_by("pk"))
    if not members:
        raise ServiceError(f"Record {kept.pk} has no duplicates to split off", code="invalid")
    if kept.pk in locked_records(review) and not confirm:
        raise ServiceError(
            f"Record {kept.pk} already has screening votes. Splitting keeps them with record {kept.pk}; "
            "confirm to go ahead.",
            code="confirm_required",
        )
    now = timezone.now()
    pks = [m.pk for m in members]
    Record.objects.filter(pk__in=pks).update(merged_into=None)
    MergeEvent.objects.filter(record_id__in=pks, undone_at__isnull=True).update(
        undone_at=now, undone_by=by, undo_reason="group split by a person"
    )
    everyone = sorted([kept.pk, *pks])
    DuplicateDecision.objects.bulk_create(
        DuplicateDecision(review=review, record_a_id=a, record_b_id=b, same=False, decided_by=by)
        for a, b in combinations(everyone, 2)
    )
    audit(review=review, actor=by, action="dedup.group_split", kept=kept.pk, separated=pks)
    _records_changed(review, by)
    return pks
