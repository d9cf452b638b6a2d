"""Which rows a bundle carries, in the order they can be loaded, and how a row becomes JSON and back.

Rows are dumped field by field from the model's concrete fields (`attname`, so a foreign key is its id). On load
every foreign key is mapped from the old instance's ids to the new ones: to users through their username, to any
other model through the map filled as that model was loaded. Self-references (a duplicate's kept record, an
additional report's study) are filled in a second pass once every row of the model exists.

Left out on purpose: jobs (progress of background work that is over), queue claims and skips (who is looking at
what right now), invitations and API tokens (secrets of this instance).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime

FORMAT = "review-bundle"
VERSION = 1


@dataclass(frozen=True, slots=True)
class Part:
    label: str  # app_label.ModelName
    review_path: str  # the lookup from this model to its review

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @property
    def member(self) -> str:
        return f"data/{self.label}.jsonl"


PARTS = [
    Part("review.Membership", "review"),
    Part("screening.ScreeningSettings", "review"),
    Part("review.Search", "review"),
    Part("review.SearchFile", "review"),
    Part("review.Record", "review"),
    Part("review.DedupRun", "review"),
    Part("review.MergeEvent", "review"),
    Part("review.DuplicateDecision", "review"),
    Part("review.PossibleDuplicate", "review"),
    Part("screening.ExclusionReason", "review"),
    Part("screening.PilotRound", "review"),
    Part("screening.StageOutcome", "review"),
    Part("screening.Vote", "review"),
    Part("screening.VoteEvent", "review"),
    Part("screening.Resolution", "review"),
    Part("screening.ConflictComment", "review"),
    Part("screening.FullText", "review"),
    Part("charting.Form", "review"),
    Part("charting.FormVersion", "form__review"),
    Part("charting.Section", "version__form__review"),
    Part("charting.Field", "version__form__review"),
    Part("charting.Extraction", "review"),
    Part("charting.ExtractionValue", "extraction__review"),
    Part("charting.ConsensusValue", "review"),
    Part("charting.ReportPairDismissal", "review"),
    Part("review.AuditEvent", "review"),
]

REVIEW_FIELDS = (
    "title", "slug", "description", "inclusion_criteria", "exclusion_criteria", "dedup_automatic", "dedup_versions",
    "previous_studies", "previous_reports", "previous_note", "created_at",
)  # fmt: skip
# Screening settings that settings.json keeps under "review" beside REVIEW_FIELDS, as it did when they were columns
# of the review: a bundle written before they moved carries them only there, and its ScreeningSettings row (if any)
# lacks them, so on load these values win over the row's.
SCREENING_RULES = ("votes_required_title_abstract", "votes_required_full_text", "blinded")
DROPPED_TARGETS = {"review.Job"}  # foreign keys to these are written as null


def user_label() -> str:
    return str(settings.AUTH_USER_MODEL)


def to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def dump_row(obj: models.Model) -> dict[str, Any]:
    return {f.attname: to_json(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def from_json(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return parse_datetime(value)
    if isinstance(field, models.DateField):
        return parse_date(value)
    return value


def foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def target_label(field: models.ForeignKey) -> str:
    return str(field.related_model._meta.label)  # type: ignore[union-attr]


def auto_now_add_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]


# ---- the stopping rule's evidence ------------------------------------------------------------------------------
# Kept apart from PARTS above: the stage's random sample (screening/stopping.py) is loaded after every other part,
# and its list of record ids is mapped to the new records like a foreign key, so that the imported review states
# the same recall bound. The evidence as it stood at export (the JSON and CSV of the stopping export) travels
# beside it for the methods section, as `stopping/<stage>.json`.
STOPPING_PARTS = [Part("screening.StoppingSample", "review")]
ID_LIST_FIELDS = {"screening.StoppingSample": {"record_ids": "review.Record"}}  # field -> model of its ids


def stopping_member(stage: str) -> str:
    return f"stopping/{stage}.json"
