"""Reads for charting. Blinding lives here: an extractor cannot read another's values before all have submitted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from charting.models import ConsensusValue, Extraction, ExtractionValue, Field, Form, FormVersion, Section
from review.models import ROLE_RANK, Membership, Record, Review, Role
from screening.selectors import records_included_at_full_text


def chartable_records(*, review: Review) -> QuerySet[Record]:
    """The studies that may be charted: those included at full text (by votes or by the lead's resolution).

    The one place where charting asks screening which records are included.
    """
    return records_included_at_full_text(review=review)


def form_for_review(*, review: Review) -> Form | None:
    return Form.objects.filter(review=review).first()


def form_current_version(*, form: Form) -> FormVersion:
    version = form.versions.order_by("-number").first()
    assert version is not None, "a form always has a first version"
    return version


def version_sections(*, version: FormVersion) -> list[tuple[Section, list[Field]]]:
    """The form as it is shown: sections in order, each with its fields in order (two queries)."""
    sections = list(Section.objects.filter(version=version).order_by("position", "id"))
    by_section: dict[int, list[Field]] = defaultdict(list)
    for field in Field.objects.filter(version=version).select_related("section", "version").order_by("position", "id"):
        by_section[field.section_id].append(field)
    return [(section, by_section[section.pk]) for section in sections]


def version_fields(*, version: FormVersion) -> list[Field]:
    return [field for _section, fields in version_sections(version=version) for field in fields]


def version_started(*, version: FormVersion) -> bool:
    """A version is in use once any extraction on it has saved a value; editing it then makes a new version."""
    return ExtractionValue.objects.filter(extraction__version=version).exists()


def field_value_count(*, form: Form, key: str) -> int:
    """How many records have data for a field (in any extraction or consensus), for 'delete this field?'."""
    charted = (
        ExtractionValue.objects.filter(extraction__form=form, field_key=key, value__isnull=False)
        .values("extraction__record_id")
        .distinct()
        .count()
    )
    agreed = ConsensusValue.objects.filter(form=form, field_key=key, value__isnull=False).count()
    return max(charted, 1 if agreed else 0)


def eligible_extractors(*, review: Review) -> QuerySet[User]:
    roles = [role for role in Role if ROLE_RANK[role] >= ROLE_RANK[Role.REVIEWER]]
    ids = Membership.objects.filter(review=review, role__in=roles).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("username")


def latest_values(extraction_ids: Iterable[int] | QuerySet[Extraction]) -> dict[int, dict[str, Any]]:
    """Current value of every field of each extraction: the newest row per key wins (one query).

    Given a queryset of extractions, it becomes a subquery rather than a long list of ids.
    """
    current: dict[int, dict[str, Any]] = defaultdict(dict)
    wanted = extraction_ids if isinstance(extraction_ids, QuerySet) else list(extraction_ids)
    rows = ExtractionValue.objects.filter(extraction_id__in=wanted).order_by("id")
    for extraction_id, key, value in rows.values_list("extraction_id", "field_key", "value"):
        current[extraction_id][key] = value
    return {eid: {k: v for k, v in values.items() if v is not None} for eid, values in current.items()}


def extraction_values(*, extraction: Extraction) -> dict[str, Any]:
    return latest_values([extraction.pk]).get(extraction.pk, {})


def active_extractions(*, review: Review, record: Record, round: str) -> list[Extraction]:
    return list(
        Extraction.objects.filter(review=review, record=record, round=round)
        .exclude(status=Extraction.Status.WITHDRAWN)
        .select_related("extractor")
        .order_by("id")
    )


def all_submitted(extractions: list[Extraction]) -> bool:
    return bool(extractions) and all(e.status == Extraction.Status.SUBMITTED for e in extractions)


def my_extractions(*, review: Review, user: User) -> QuerySet[Extraction]:
    return (
        Extraction.objects.filter(review=review, extractor=user)
        .exclude(status=Extraction.Status.WITHDRAWN)
        .select_related("record")
        .order_by("round", "status", "record_id")
    )


@dataclass(frozen=True, slots=True)
class StudyProgress:
    record: Record
    extractions: list[Extraction]
    submitted: int

    @property
    def ready_for_consensus(self) -> bool:
        return all_submitted(self.extractions)

    @property
    def extractor_ids(self) -> set[int]:
        return {e.extractor_id for e in self.extractions}


def round_progress(*, review: Review, round: str) -> list[StudyProgress]:
    """Every assigned study of a round with its extractions: the lead's assignment and consensus overview."""
    extractions = (
        Extraction.objects.filter(review=review, round=round)
        .exclude(status=Extraction.Status.WITHDRAWN)
        .select_related("record", "extractor")
        .order_by("record_id", "id")
    )
    grouped: dict[int, list[Extraction]] = defaultdict(list)
    records: dict[int, Record] = {}
    for extraction in extractions:
        grouped[extraction.record_id].append(extraction)
        records[extraction.record_id] = extraction.record
    return [
        StudyProgress(
            record=records[rid],
            extractions=group,
            submitted=sum(1 for e in group if e.status == Extraction.Status.SUBMITTED),
        )
        for rid, group in grouped.items()
    ]


def unassigned_records(*, review: Review, needed: int) -> QuerySet[Record]:
    """Chartable records with fewer than `needed` active main-round extractions."""
    active = Q(extractions__round=Extraction.Round.MAIN) & ~Q(extractions__status=Extraction.Status.WITHDRAWN)
    return (
        chartable_records(review=review)
        .annotate(n_active=Count("extractions", filter=active))
        .filter(n_active__lt=needed)
        .order_by("id")
    )


def final_values(*, form: Form, record_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """The study's final data: the newest consensus value per (record, field) (one query)."""
    rows = ConsensusValue.objects.filter(form=form).order_by("id")
    if record_ids is not None:
        rows = rows.filter(record_id__in=list(record_ids))
    final: dict[int, dict[str, Any]] = defaultdict(dict)
    for record_id, key, value in rows.values_list("record_id", "field_key", "value"):
        final[record_id][key] = value
    return {rid: {k: v for k, v in values.items() if v is not None} for rid, values in final.items()}


def consensus_history(*, form: Form, record: Record) -> QuerySet[ConsensusValue]:
    return ConsensusValue.objects.filter(form=form, record=record).select_related("decided_by").order_by("-id")


def charted_records(*, form: Form) -> QuerySet[Record]:
    """Studies in the main round (any active extraction), in a stable order: the rows of the charted data."""
    ids = (
        Extraction.objects.filter(form=form, round=Extraction.Round.MAIN)
        .exclude(status=Extraction.Status.WITHDRAWN)
        .values("record_id")
    )
    return Record.objects.filter(pk__in=ids).order_by("id")


def review_home_counts(review: Review) -> dict[str, int]:
    """Figures for the review's home page (ChartingConfig.home_counts): two queries."""
    studies = Extraction.objects.filter(review=review, round=Extraction.Round.MAIN).exclude(
        status=Extraction.Status.WITHDRAWN
    )
    charted = studies.values("record_id").distinct().count()
    waiting = studies.filter(status=Extraction.Status.DRAFT).values("record_id").distinct().count()
    return {"studies in charting": charted, "studies still being charted": waiting} if charted else {}
