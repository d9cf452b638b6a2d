"""PRISMA 2020 flow-diagram counts, computed from the rows, and the records behind each number.

Branches. PRISMA 2020 has two identification branches. "Databases and registers" holds every database search and
every register (a database search flagged as a register, or an other-methods search of a register). "Other
methods" holds websites, organisations, citation searching, hand searching and other sources. A record belongs to
the branch of the search it was imported from.

Definitions (each is a selector below, so the number and its drill-down list can never disagree):
- duplicates: records of the branch merged into another record (the kept record may come from either branch);
- identified (database_results, register_results, the other-methods fields): records imported from the
  branch's searches plus the records each search says were removed before import (`removed_before_import`, e.g.
  duplicates removed in EndNote), which count as duplicates too; a search's `hits_reported` (what the database
  said it found) is checked against that sum among the consistency checks;
- excluded_automatic / excluded_other: not a duplicate, removed before screening; marked as removed by an
  automation tool (`removed_automatic`) or not;
- records_screened: records of the branch that entered title/abstract screening (neither merged nor removed), so
  records_screened = database_results + register_results - duplicates - excluded_automatic - excluded_other holds
  by construction; records still awaiting a decision are reported apart (`records_awaiting`);
- reports sought: records with a full-text outcome (a record included at title/abstract enters full text at once);
  not retrieved: marked so at full text; assessed: sought minus not retrieved; excluded: full-text exclusions,
  with counts per reason, one reason per report: a report that carries more than one (older data, or votes from
  before the review asked for one) counts under the first of them in the lead's ranked list, so the reasons
  always add up to the excluded total;
- reports included (new_reports): records included at full text, both branches; studies included (new_studies):
  distinct studies among them, where a record linked as an additional report of another record (report_of)
  belongs to that record's study. total_* add what a previous version of the review included (entered by the
  lead as `previous_studies` / `previous_reports`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from reporting.prisma_checks import Check, consistency_checks  # noqa: F401  (part of this module's interface)
from review.models import Record, Review, Search
from screening.models import Stage, StageOutcome, Status
from screening.rules import first_reason
from screening.selectors import exclusion_reason_rank

# The branch a search belongs to, as a filter on Record (through its search).
DBR = Q(search__kind=Search.Kind.DATABASE) | Q(search__other_method=Search.OtherMethod.REGISTER)
OTHER = Q(search__kind=Search.Kind.OTHER) & ~Q(search__other_method=Search.OtherMethod.REGISTER)
SCREENABLE = Q(merged_into__isnull=True, removed_reason="")
AUTOMATIC = Q(removed_automatic=True)

OTHER_METHOD_FIELD = {
    Search.OtherMethod.WEBSITE: "website_results",
    Search.OtherMethod.ORGANISATION: "organisation_results",
    Search.OtherMethod.CITATION: "citations_results",
    Search.OtherMethod.HAND: "other_methods_results",
    Search.OtherMethod.OTHER: "other_methods_results",
}


@dataclass(slots=True)
class PrismaCounts:
    """Field names follow the PRISMA2020 R package's template; fields after `total_reports` are our extras."""

    database_results: int = 0
    register_results: int = 0
    website_results: int = 0
    organisation_results: int = 0
    citations_results: int = 0
    duplicates: int = 0
    excluded_automatic: int = 0
    excluded_other: int = 0
    records_screened: int = 0
    records_excluded: int = 0
    dbr_sought_reports: int = 0
    dbr_notretrieved_reports: int = 0
    dbr_assessed: int = 0
    dbr_excluded: int = 0
    other_sought_reports: int = 0
    other_notretrieved_reports: int = 0
    other_assessed: int = 0
    other_excluded: int = 0
    new_studies: int = 0
    new_reports: int = 0
    total_studies: int = 0
    total_reports: int = 0
    previous_studies: int = 0
    previous_reports: int = 0
    # Extras: the details behind the template's numbers.
    database_specific: list[tuple[str, int]] = field(default_factory=list)
    register_specific: list[tuple[str, int]] = field(default_factory=list)
    duplicates_specific: list[tuple[str, int]] = field(default_factory=list)
    dbr_excluded_reasons: list[tuple[str, int]] = field(default_factory=list)
    other_excluded_reasons: list[tuple[str, int]] = field(default_factory=list)
    other_methods_results: int = 0  # hand searching and other sources: the template has no row for them
    other_duplicates: int = 0
    other_removed: int = 0
    other_screened: int = 0
    other_records_excluded: int = 0
    records_awaiting: int = 0  # screened records without a final title/abstract decision yet
    other_records_awaiting: int = 0
    dbr_awaiting: int = 0  # reports assessed without a final full-text decision yet
    other_awaiting: int = 0
    removed_before_import: int = 0  # of databases and registers, inside `duplicates`
    other_removed_before_import: int = 0  # of other methods, inside `other_duplicates`
    # (search label, hits the database reported, records identified here) for searches that give their hits.
    hits_reported: list[tuple[str, int, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in (
            "database_specific",
            "register_specific",
            "duplicates_specific",
            "dbr_excluded_reasons",
            "other_excluded_reasons",
        ):
            data[name] = [{"name": label, "n": n} for label, n in data[name]]
        data["hits_reported"] = [
            {"search": label, "reported": reported, "identified": found}
            for label, reported, found in self.hits_reported
        ]
        return data


TEMPLATE_FIELDS = (
    "database_results", "register_results", "website_results", "organisation_results", "citations_results",
    "duplicates", "excluded_automatic", "excluded_other", "records_screened", "records_excluded",
    "dbr_sought_reports", "dbr_notretrieved_reports", "dbr_assessed", "dbr_excluded", "other_sought_reports",
    "other_notretrieved_reports", "other_assessed", "other_excluded", "new_studies", "new_reports",
    "total_studies", "total_reports", "previous_studies", "previous_reports",
)  # fmt: skip


def _search_label(search: Any) -> str:
    if search["kind"] == Search.Kind.OTHER:
        return str(dict(Search.OtherMethod.choices).get(search["other_method"], "Other methods"))
    return str(search["database"])


def prisma_counts(*, review: Review) -> PrismaCounts:
    """Every PRISMA number of the review, in five queries whatever its size."""
    counts = PrismaCounts()
    searches = {
        s["pk"]: s
        for s in Search.objects.filter(review=review).values(
            "pk", "kind", "is_register", "other_method", "database", "hits_reported", "removed_before_import"
        )
    }
    per_search = (
        Record.objects.filter(review=review)
        .values("search_id")
        .annotate(
            n=Count("pk"),
            merged=Count("pk", filter=Q(merged_into__isnull=False)),
            automatic=Count("pk", filter=Q(merged_into__isnull=True) & ~Q(removed_reason="") & AUTOMATIC),
            removed=Count("pk", filter=Q(merged_into__isnull=True) & ~Q(removed_reason="")),
        )
        .order_by()
    )
    database_n: Counter[str] = Counter()
    register_n: Counter[str] = Counter()
    duplicates_n: Counter[str] = Counter()
    dbr_search_ids: set[int] = set()
    imported = {row["search_id"]: row for row in per_search}
    empty = {"n": 0, "merged": 0, "automatic": 0, "removed": 0}
    for search_id, search in searches.items():
        row = imported.get(search_id, empty)
        before = search["removed_before_import"]
        label = _search_label(search)
        identified, merged = row["n"] + before, row["merged"] + before
        if search["hits_reported"] is not None:
            counts.hits_reported.append((label, search["hits_reported"], identified))
        in_dbr = search["kind"] == Search.Kind.DATABASE or search["other_method"] == Search.OtherMethod.REGISTER
        if in_dbr:
            dbr_search_ids.add(search_id)
            is_register = search["is_register"] or search["kind"] == Search.Kind.OTHER
            if identified or search_id in imported:
                (register_n if is_register else database_n)[label] += identified
            if merged:
                duplicates_n[label] += merged
            counts.duplicates += merged
            counts.removed_before_import += before
            counts.excluded_automatic += row["automatic"]
            counts.excluded_other += row["removed"] - row["automatic"]
            counts.records_screened += row["n"] - row["merged"] - row["removed"]
        else:
            name = OTHER_METHOD_FIELD.get(Search.OtherMethod(search["other_method"]), "other_methods_results")
            setattr(counts, name, getattr(counts, name) + identified)
            counts.other_duplicates += merged
            counts.other_removed_before_import += before
            counts.other_removed += row["removed"]
            counts.other_screened += row["n"] - row["merged"] - row["removed"]
    counts.database_results = sum(database_n.values())
    counts.register_results = sum(register_n.values())
    counts.database_specific = sorted(database_n.items())
    counts.register_specific = sorted(register_n.items())
    counts.duplicates_specific = sorted(duplicates_n.items())

    outcomes = (
        StageOutcome.objects.filter(review=review, record__merged_into__isnull=True, record__removed_reason="")
        .values("stage", "status", "record__search_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in outcomes:
        dbr = row["record__search_id"] in dbr_search_ids
        stage, status, n = row["stage"], row["status"], row["n"]
        if stage == Stage.TITLE_ABSTRACT:
            # Every screenable record has its title/abstract row from the moment it is created (screening writes
            # it in the action that creates the record), so "awaiting" is counted from the rows like the rest.
            if status == Status.EXCLUDED:
                if dbr:
                    counts.records_excluded += n
                else:
                    counts.other_records_excluded += n
            elif status != Status.INCLUDED:
                if dbr:
                    counts.records_awaiting += n
                else:
                    counts.other_records_awaiting += n
            continue
        prefix = "dbr" if dbr else "other"
        setattr(counts, f"{prefix}_sought_reports", getattr(counts, f"{prefix}_sought_reports") + n)
        if status == Status.NOT_RETRIEVED:
            setattr(counts, f"{prefix}_notretrieved_reports", getattr(counts, f"{prefix}_notretrieved_reports") + n)
        elif status == Status.EXCLUDED:
            setattr(counts, f"{prefix}_excluded", getattr(counts, f"{prefix}_excluded") + n)
        elif status != Status.INCLUDED:
            setattr(counts, f"{prefix}_awaiting", getattr(counts, f"{prefix}_awaiting") + n)
    counts.dbr_assessed = counts.dbr_sought_reports - counts.dbr_notretrieved_reports
    counts.other_assessed = counts.other_sought_reports - counts.other_notretrieved_reports

    dbr_reasons: Counter[str] = Counter()
    other_reasons: Counter[str] = Counter()
    rank = exclusion_reason_rank(review=review)
    excluded = _ft(review, Status.EXCLUDED).values_list("record__search_id", "reasons")
    for search_id, reasons in excluded:
        target = dbr_reasons if search_id in dbr_search_ids else other_reasons
        target[report_reason(reasons, rank)] += 1
    counts.dbr_excluded_reasons = _by_rank(dbr_reasons, rank)
    counts.other_excluded_reasons = _by_rank(other_reasons, rank)

    included = list(_ft(review, Status.INCLUDED).values_list("record_id", "record__report_of_id"))
    counts.new_reports = len(included)
    counts.new_studies = len({study or record for record, study in included})
    counts.previous_studies, counts.previous_reports = review.previous_studies, review.previous_reports
    counts.total_reports = counts.new_reports + counts.previous_reports
    counts.total_studies = counts.new_studies + counts.previous_studies
    return counts


NO_REASON = "(no reason recorded)"


def report_reason(reasons: Sequence[str] | None, rank: dict[str, int]) -> str:
    """The one reason an excluded report is counted under: the first of its reasons in the ranked list, then
    free-text ("Other: ...") reasons alphabetically."""
    return first_reason(reasons, rank) if reasons else NO_REASON


def _by_rank(counter: Counter[str], rank: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def _ft(review: Review, status: str) -> QuerySet[StageOutcome]:
    return StageOutcome.objects.filter(
        review=review, stage=Stage.FULL_TEXT, status=status, record__merged_into__isnull=True, record__removed_reason=""
    )


# ---- the records behind each number ----------------------------------------------------------------------------

NODE_LABELS: dict[str, str] = {
    "database_results": "Records identified from databases",
    "register_results": "Records identified from registers",
    "website_results": "Records identified from websites",
    "organisation_results": "Records identified from organisations",
    "citations_results": "Records identified from citation searching",
    "other_methods_results": "Records identified from hand searching and other sources",
    "duplicates": "Duplicate records removed (databases and registers)",
    "other_duplicates": "Duplicate records removed (other methods)",
    "excluded_automatic": "Records marked as ineligible by automation tools",
    "excluded_other": "Records removed for other reasons",
    "records_screened": "Records screened (databases and registers)",
    "records_awaiting": "Records awaiting a title/abstract decision",
    "records_excluded": "Records excluded at title/abstract (databases and registers)",
    "other_removed": "Records removed before screening (other methods)",
    "other_screened": "Records screened (other methods)",
    "other_records_awaiting": "Records awaiting a title/abstract decision (other methods)",
    "other_records_excluded": "Records excluded at title/abstract (other methods)",
    "dbr_sought_reports": "Reports sought for retrieval (databases and registers)",
    "dbr_notretrieved_reports": "Reports not retrieved (databases and registers)",
    "dbr_assessed": "Reports assessed for eligibility (databases and registers)",
    "dbr_excluded": "Reports excluded (databases and registers)",
    "other_sought_reports": "Reports sought for retrieval (other methods)",
    "other_notretrieved_reports": "Reports not retrieved (other methods)",
    "other_assessed": "Reports assessed for eligibility (other methods)",
    "other_excluded": "Reports excluded (other methods)",
    "new_studies": "Studies included in the review",
    "new_reports": "Reports of included studies",
    "total_studies": "Studies included in the review",
    "total_reports": "Reports of included studies",
}


def _outcome_ids(review: Review, stage: str, statuses: Sequence[str] | None = None) -> QuerySet[StageOutcome, Any]:
    outcomes = StageOutcome.objects.filter(review=review, stage=stage)
    if statuses is not None:
        outcomes = outcomes.filter(status__in=statuses)
    return outcomes.values("record_id")


def prisma_records(*, review: Review, node: str, reason: str = "", database: str = "") -> QuerySet[Record]:
    """The records counted by one PRISMA number (a key of NODE_LABELS); `reason` narrows the excluded reports,
    `database` the records identified or removed as duplicates to one database or register (as named per search).

    Raises KeyError for an unknown node.
    """
    if node not in NODE_LABELS:
        raise KeyError(node)
    records = Record.objects.filter(review=review).select_related("search")
    removed = Q(merged_into__isnull=True) & ~Q(removed_reason="")
    ft = Stage.FULL_TEXT
    branch = OTHER if node.startswith("other_") else DBR
    simple: dict[str, Q] = {
        "database_results": Q(search__kind=Search.Kind.DATABASE, search__is_register=False),
        "register_results": Q(search__kind=Search.Kind.DATABASE, search__is_register=True)
        | Q(search__other_method=Search.OtherMethod.REGISTER),
        "website_results": Q(search__other_method=Search.OtherMethod.WEBSITE),
        "organisation_results": Q(search__other_method=Search.OtherMethod.ORGANISATION),
        "citations_results": Q(search__other_method=Search.OtherMethod.CITATION),
        "other_methods_results": Q(search__other_method__in=[Search.OtherMethod.HAND, Search.OtherMethod.OTHER]),
        "duplicates": DBR & Q(merged_into__isnull=False),
        "other_duplicates": OTHER & Q(merged_into__isnull=False),
        "excluded_automatic": DBR & removed & AUTOMATIC,
        "excluded_other": DBR & removed & ~AUTOMATIC,
        "records_screened": DBR & SCREENABLE,
        "other_removed": OTHER & removed,
        "other_screened": OTHER & SCREENABLE,
    }
    if node in simple:
        chosen = records.filter(simple[node])
        if database and node in ("database_results", "register_results", "duplicates"):
            # The name as the counts give it: a database search's name, or "Registers" for other-methods registers.
            named = Q(search__kind=Search.Kind.DATABASE, search__database=database)
            if database == str(Search.OtherMethod.REGISTER.label):
                named |= Q(search__other_method=Search.OtherMethod.REGISTER)
            chosen = chosen.filter(named)
        return chosen.order_by("pk")
    records = records.filter(SCREENABLE)
    ta = Stage.TITLE_ABSTRACT
    if node in ("records_awaiting", "other_records_awaiting"):
        undecided = _outcome_ids(review, ta, [Status.AWAITING, Status.CONFLICT])
        return records.filter(branch, pk__in=undecided).order_by("pk")
    if node in ("records_excluded", "other_records_excluded"):
        return records.filter(branch, pk__in=_outcome_ids(review, ta, [Status.EXCLUDED])).order_by("pk")
    suffix = node.split("_", 1)[1]
    if node.startswith(("dbr_", "other_")) and suffix in (
        "sought_reports",
        "notretrieved_reports",
        "assessed",
        "excluded",
    ):
        statuses: Sequence[str] | None = {
            "sought_reports": None,
            "notretrieved_reports": [Status.NOT_RETRIEVED],
            "assessed": [Status.AWAITING, Status.CONFLICT, Status.INCLUDED, Status.EXCLUDED],
            "excluded": [Status.EXCLUDED],
        }[suffix]
        chosen = records.filter(branch, pk__in=_outcome_ids(review, ft, statuses))
        if suffix == "excluded" and reason:
            rank = exclusion_reason_rank(review=review)
            ids = [
                pk
                for pk, reasons in _ft(review, Status.EXCLUDED).values_list("record_id", "reasons")
                if report_reason(reasons, rank) == reason
            ]
            chosen = chosen.filter(pk__in=ids)
        return chosen.order_by("pk")
    included = records.filter(pk__in=_outcome_ids(review, ft, [Status.INCLUDED]))
    if node in ("new_reports", "total_reports"):
        return included.order_by("pk")
    # Studies: the record that stands for each study (the main report), whatever its own outcome.
    study_ids = included.annotate(study=Coalesce("report_of_id", "pk")).values("study")
    return Record.objects.filter(review=review, pk__in=study_ids).select_related("search").order_by("pk")
