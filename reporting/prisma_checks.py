"""The consistency checks shown under the PRISMA diagram: relations between its numbers that must hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporting.prisma import PrismaCounts


@dataclass(frozen=True, slots=True)
class Check:
    label: str
    left: int
    right: int

    @property
    def ok(self) -> bool:
        return self.left == self.right


def consistency_checks(counts: PrismaCounts) -> list[Check]:
    c = counts
    return [
        Check(
            "records_screened = database_results + register_results - duplicates - excluded_automatic"
            " - excluded_other",
            c.records_screened,
            c.database_results + c.register_results - c.duplicates - c.excluded_automatic - c.excluded_other,
        ),
        Check("dbr_assessed = dbr_sought_reports - dbr_notretrieved_reports", c.dbr_assessed,
              c.dbr_sought_reports - c.dbr_notretrieved_reports),
        Check("other_assessed = other_sought_reports - other_notretrieved_reports", c.other_assessed,
              c.other_sought_reports - c.other_notretrieved_reports),
        Check("dbr_sought_reports <= records_screened - records_excluded", c.dbr_sought_reports,
              min(c.dbr_sought_reports, c.records_screened - c.records_excluded)),
        Check("new_studies <= new_reports", c.new_studies, min(c.new_studies, c.new_reports)),
        Check("dbr_excluded = sum of its reasons", c.dbr_excluded, sum(n for _, n in c.dbr_excluded_reasons)),
        Check("other_excluded = sum of its reasons", c.other_excluded, sum(n for _, n in c.other_excluded_reasons)),
    ] + [
        Check(f"{label}: hits reported by the database = records imported + removed before import", reported, found)
        for label, reported, found in c.hits_reported
    ]  # fmt: skip
