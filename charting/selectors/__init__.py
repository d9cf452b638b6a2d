"""Reads for charting. Blinding lives here: an extractor cannot read another's values before all have submitted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from charting.answers import address, instance_count
from charting.models import ConsensusValue, Extraction, ExtractionValue, Field, Form, FormVersion, Section
from review.models import ROLE_RANK, Membership, Record, Review, Role
from screening.selectors import records_included_at_full_text


def chartable_records(*, review: Review) -> QuerySet[Record]:
    """The studies that may be charted: one record per study with a report included at full text.

    A study is its main report; a record linked as an additional report of another (`report_of`) is charted with
    that study. This is the same rule by which PRISMA counts studies included (reporting/prisma.py), so the
    diagram's "studies" and the charting's studies are the same number. The one place where charting asks
    screening which records are included.
    """
    included = records_included_at_full_text(review=review).annotate(study=Coalesce("report_of_id", "pk"))
    return Record.objects.filter(review=review, pk__in=included.values("study")).order_by("id")


def study_reports(*, record: Record) -> list[Record]:
    """A study's reports: its main report first, then the additional reports linked to it."""
    return [record, *Record.objects.filter(report_of=record, review_id=record.review_id).order_by("id")]


def reports_by_study(*, review: Review, study_ids: Iterable[int]) -> dict[int, list[int]]:
    """Record ids of each study's reports (main report first), for the exports' report_ids column (one query)."""
    wanted = list(study_ids)
    result: dict[int, list[int]] = {pk: [pk] for pk in wanted}
    for pk, study in (
        Record.objects.filter(review=review, report_of_id__in=wanted).order_by("id").values_list("pk", "report_of_id")
    ):
        result[study].append(pk)
    return result


def repeating_groups(fields: Iterable[Field]) -> dict[str, list[Field]]:
    """The repeating groups of a version (section key -> its fields, in order); fields need `section` loaded."""
    groups: dict[str, list[Field]] = {}
    for field in fields:
        if field.section.repeating:
            groups.setdefault(field.section.key, []).append(field)
    return groups


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


def latest_answers(
    extraction_ids: Iterable[int] | QuerySet[Extraction],
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, tuple[str, str]]]]:
    """Current answers of each extraction by address (see charting.answers): values, and (quote, page) sources.

    The newest row per (field, instance) wins (one query). Given a queryset of extractions, it becomes a subquery
    rather than a long list of ids. Empty answers and empty sources are left out.
    """
    current: dict[int, dict[str, tuple[Any, str, str]]] = defaultdict(dict)
    wanted = extraction_ids if isinstance(extraction_ids, QuerySet) else list(extraction_ids)
    rows = ExtractionValue.objects.filter(extraction_id__in=wanted).order_by("id")
    for eid, key, instance, value, quote, page in rows.values_list(
        "extraction_id", "field_key", "instance", "value", "quote", "page"
    ):
        current[eid][address(key, instance)] = (value, quote, page)
    values = {eid: {a: v for a, (v, _q, _p) in answers.items() if v is not None} for eid, answers in current.items()}
    sources = {eid: {a: (q, p) for a, (_v, q, p) in answers.items() if q or p} for eid, answers in current.items()}
    return values, sources


def latest_values(extraction_ids: Iterable[int] | QuerySet[Extraction]) -> dict[int, dict[str, Any]]:
    """Current value of every answer of each extraction, by address (one query)."""
    return latest_answers(extraction_ids)[0]


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


def final_answers(
    *, form: Form, record_ids: Iterable[int] | None = None
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, tuple[str, str]]]]:
    """The studies' final data by address, and its (quote, page) sources: the newest consensus row per (study,
    field, instance) (one query)."""
    rows = ConsensusValue.objects.filter(form=form).order_by("id")
    if record_ids is not None:
        rows = rows.filter(record_id__in=list(record_ids))
    final: dict[int, dict[str, tuple[Any, str, str]]] = defaultdict(dict)
    for record_id, key, instance, value, quote, page in rows.values_list(
        "record_id", "field_key", "instance", "value", "quote", "page"
    ):
        final[record_id][address(key, instance)] = (value, quote, page)
    values = {rid: {a: v for a, (v, _q, _p) in answers.items() if v is not None} for rid, answers in final.items()}
    sources = {
        rid: {a: (q, p) for a, (v, q, p) in answers.items() if v is not None and (q or p)}
        for rid, answers in final.items()
    }
    return values, sources


def final_values(*, form: Form, record_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """The studies' final data by address (one query)."""
    return final_answers(form=form, record_ids=record_ids)[0]


def included_study_count(*, review: Review) -> int:
    """Studies included (PRISMA's new_studies): the denominator the summaries page shows beside the charted ones."""
    return chartable_records(review=review).count()


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


def charted_records_ids(*, review: Review) -> list[int]:
    """Studies with any active extraction in either round."""
    return list(
        Extraction.objects.filter(review=review)
        .exclude(status=Extraction.Status.WITHDRAWN)
        .values_list("record_id", flat=True)
        .distinct()
    )


def study_addresses(fields: list[Field], answer_sets: list[dict[str, Any]]) -> list[tuple[Field, int, str]]:
    """Every (field, instance, address) to compare for a study: each field once, each field of a repeating group
    once per instance that any extractor (or the consensus) has. Instances are matched by their number."""
    groups = repeating_groups(fields)
    counts = {
        group: max((instance_count(answers, [f.key for f in members]) for answers in answer_sets), default=0)
        for group, members in groups.items()
    }
    slots: list[tuple[Field, int, str]] = []
    for spec in fields:
        if spec.section.repeating:
            slots.extend((spec, n, address(spec.key, n)) for n in range(1, counts[spec.section.key] + 1))
        else:
            slots.append((spec, 0, spec.key))
    return slots


# ---- reads the pages and the API share (no view queries the ORM itself) ----------------------------------------


def forms_to_copy(*, user: User, review: Review) -> list[tuple[str, str]]:
    """(slug, title) of the other reviews `user` leads that have a form to copy (never `review`)."""
    led = Membership.objects.filter(user=user, role=Role.LEAD).exclude(review=review).values("review_id")
    return list(
        Form.objects.filter(review_id__in=led).order_by("review__title").values_list("review__slug", "review__title")
    )


def review_forms(*, review: Review) -> QuerySet[Form]:
    return Form.objects.filter(review=review)


def form_versions(*, form: Form) -> QuerySet[FormVersion]:
    """Newest first."""
    return FormVersion.objects.filter(form=form).select_related("created_by").order_by("-number")


def current_field(*, form: Form, key: str) -> Field | None:
    return (
        Field.objects.filter(version=form_current_version(form=form), key=key)
        .select_related("section", "version")
        .first()
    )


def section_field_keys(*, section: Section) -> list[str]:
    return list(Field.objects.filter(section=section).order_by("position", "id").values_list("key", flat=True))


def review_extractions(*, review: Review, extractor: User | None = None) -> QuerySet[Extraction]:
    """Every extraction of the review (or one person's), by study; values are read apart, through the door."""
    rows = Extraction.objects.filter(review=review).select_related("extractor", "version")
    if extractor is not None:
        rows = rows.filter(extractor=extractor)
    return rows.order_by("record_id", "id")


def extractions_by_id(ids: Iterable[int]) -> QuerySet[Extraction]:
    return Extraction.objects.filter(pk__in=list(ids)).select_related("extractor", "version").order_by("id")


def records_by_id(*, review: Review, ids: Iterable[int]) -> dict[int, Record]:
    """The review's records among `ids`, by id (ids of other reviews are left out)."""
    return {record.pk: record for record in Record.objects.filter(review=review, pk__in=list(ids))}
