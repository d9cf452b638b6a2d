"""Every export by kind: its file name, type, who may download it and the chunks it streams.

The browser, the API and `manage.py export` all go through `export_for`, so they share roles and blinding.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth.models import User

from reporting.exports.citations import bibtex_chunks, ris_chunks
from reporting.exports.csvfast import safe_csv_lines
from reporting.exports.records import records_export
from reporting.exports.tables import AGREEMENT_HEADER, PRISMA_HEADER, agreement_rows, prisma_csv_rows
from reporting.exports.votes import votes_export
from reporting.prisma import NODE_LABELS, prisma_counts
from review.access import ReviewAccess
from review.csv_export import csv_lines
from review.models import Role
from review.selectors.dedup import DEDUP_LOG_HEADER, dedup_log_rows


@dataclass(frozen=True, slots=True)
class ExportKind:
    kind: str
    suffix: str
    content_type: str
    min_role: Role
    description: str
    subset: bool = False  # takes ?subset=all|<PRISMA number>&reason=...


class SubsetError(ValueError):
    pass


def subset_check(*, kind: str, subset: str, reason: str) -> tuple[str, str]:
    """The (node, reason) an export is narrowed to; "" for the export's own default. Raises SubsetError."""
    if not subset and not reason:
        return "", ""
    if not KINDS[kind].subset:
        raise SubsetError(f"The {kind} export has no subsets")
    if subset != "all" and subset not in NODE_LABELS:
        raise SubsetError(f"Unknown subset {subset[:60]!r}: all, or one of {', '.join(NODE_LABELS)}")
    if reason and not subset.endswith("_excluded"):
        raise SubsetError("A reason narrows reports excluded at full text only (subset dbr_excluded or other_excluded)")
    return subset, reason[:300]


CSV = "text/csv; charset=utf-8"
KINDS: dict[str, ExportKind] = {
    k.kind: k
    for k in [
        ExportKind("records", "records.csv", CSV, Role.VIEWER,
                   "Every record with provenance, dedup group, votes, outcomes and resolutions per stage (or a "
                   "subset: ?subset= as for RIS)", subset=True),
        ExportKind("included-ris", "included.ris", "application/x-research-info-systems; charset=utf-8",
                   Role.VIEWER, "Included reports as RIS"),
        ExportKind("included-bibtex", "included.bib", "application/x-bibtex; charset=utf-8", Role.VIEWER,
                   "Included reports as BibTeX"),
        ExportKind("ris", "records.ris", "application/x-research-info-systems; charset=utf-8", Role.VIEWER,
                   "Any subset as RIS: ?subset=all, or the records behind a PRISMA number (?subset=dbr_excluded"
                   "&reason=...)", subset=True),
        ExportKind("bibtex", "records.bib", "application/x-bibtex; charset=utf-8", Role.VIEWER,
                   "Any subset as BibTeX (?subset= as for RIS)", subset=True),
        ExportKind("votes", "votes.csv", CSV, Role.VIEWER,
                   "Every reviewer's vote per record and stage: first choice, changes, outcome and how it was reached"),
        ExportKind("dedup-log", "dedup-log.csv", CSV, Role.VIEWER, "Each duplicate removed, the record kept and why"),
        ExportKind("prisma", "prisma.csv", CSV, Role.VIEWER, "PRISMA 2020 counts in the PRISMA2020 R package layout"),
        ExportKind("agreement", "agreement.csv", CSV, Role.VIEWER, "Cohen's kappa per reviewer pair and stage"),
        ExportKind("charted-wide", "charted-wide.csv", CSV, Role.VIEWER, "Charted data, one row per study"),
        ExportKind("charted-long", "charted-long.csv", CSV, Role.VIEWER, "Charted data, one row per answer"),
        ExportKind("codebook", "codebook.csv", CSV, Role.VIEWER, "The charting form's fields and codes"),
        ExportKind("charted-columns", "charted-columns.csv", CSV, Role.VIEWER,
                   "Every column of the charted data (one row per study): full name, field, group, instance"),
        ExportKind("bundle", "bundle.zip", "application/zip", Role.LEAD,
                   "Everything above, the raw search files and the review's state as JSON, to re-import"),
    ]
}  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def _prewritten_csv(rows: Iterable[list[str]], *, bom: bool) -> Iterator[str]:
    """Rows that charting has already made safe (numbers stay numbers there); only written out here."""
    writer = csv.writer(_Echo(), lineterminator="\n")
    first = True
    for row in rows:
        line = writer.writerow(row)
        yield ("\ufeff" + line) if first and bom else line
        first = False


def _charting(access: ReviewAccess, kind: str, bom: bool) -> Iterator[str]:
    from charting import exports as charting_exports
    from charting.selectors import form_for_review

    form = form_for_review(review=access.review)
    if form is None:
        header = {
            "charted-wide": charting_exports.RECORD_COLUMNS,
            "charted-long": charting_exports.LONG_COLUMNS,
            "charted-columns": charting_exports.COLUMNS_COLUMNS,
        }
        return _prewritten_csv([header.get(kind, charting_exports.CODEBOOK_COLUMNS)], bom=bom)
    makers: dict[str, Callable[..., Iterator[list[str]]]] = {
        "charted-wide": charting_exports.charted_wide_rows,
        "charted-long": charting_exports.charted_long_rows,
        "codebook": charting_exports.codebook_rows,
        "charted-columns": charting_exports.charted_columns_rows,
    }
    return _prewritten_csv(makers[kind](form=form), bom=bom)


def export_chunks(
    *, access: ReviewAccess, user: User, kind: str, bom: bool = False, subset: str = "", reason: str = ""
) -> Iterator[str | bytes]:
    """The export's content as text (or, for the bundle, bytes) chunks. The caller has checked the role and the
    subset (`subset_check`)."""
    review = access.review
    if kind == "records":
        header, rows = records_export(access=access, user=user, subset=subset, reason=reason)
        return safe_csv_lines(header, rows, bom=bom)
    if kind == "votes":
        header, rows = votes_export(access=access, user=user)
        return safe_csv_lines(header, rows, bom=bom)
    if kind in ("included-ris", "ris"):
        return ris_chunks(
            review=review, node=subset or ("new_reports" if kind == "included-ris" else "all"), reason=reason
        )
    if kind in ("included-bibtex", "bibtex"):
        return bibtex_chunks(
            review=review, node=subset or ("new_reports" if kind == "included-bibtex" else "all"), reason=reason
        )
    if kind == "dedup-log":
        return csv_lines(DEDUP_LOG_HEADER, dedup_log_rows(review=review), bom=bom)
    if kind == "prisma":
        counts = prisma_counts(review=review)
        return csv_lines(PRISMA_HEADER, prisma_csv_rows(counts=counts, slug=review.slug), bom=bom)
    if kind == "agreement":
        return csv_lines(AGREEMENT_HEADER, agreement_rows(access=access), bom=bom)
    if kind in ("charted-wide", "charted-long", "codebook", "charted-columns"):
        return _charting(access, kind, bom)
    if kind == "bundle":
        from reporting.bundle.write import bundle_chunks

        return bundle_chunks(access=access, user=user)
    raise KeyError(kind)


def export_filename(*, slug: str, kind: str) -> str:
    return f"{slug}-{KINDS[kind].suffix}"
