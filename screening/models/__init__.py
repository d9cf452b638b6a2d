"""Screening data: one outcome row per record and stage, current votes with an append-only history, conflicts'
discussion and resolutions, full-text files, exclusion reasons, per-review screening settings and pilot rounds.

Vote storage: `Vote` holds each reviewer's *current* vote (at most one per record, stage and reviewer, enforced by
a unique constraint); every cast, change and withdrawal is also appended to `VoteEvent`, which is never updated or
deleted by the application. Withdrawing deletes the current `Vote` row; its history stays in `VoteEvent`.
"""

from screening.models.bulk import BulkFullText
from screening.models.fulltexts import FullText, RankerRun, RelevanceScore, StoppingSample, fulltext_path
from screening.models.settings import (
    FINAL_STATUSES,
    REVEALING_STATUSES,
    Choice,
    ExclusionReason,
    PilotRound,
    QueueOrder,
    ScreeningSettings,
    Stage,
    Status,
)
from screening.models.votes import (
    ConflictComment,
    QueueClaim,
    QueueSkip,
    Resolution,
    StageOutcome,
    Vote,
    VoteEvent,
)

__all__ = [
    "FINAL_STATUSES",
    "REVEALING_STATUSES",
    "BulkFullText",
    "Choice",
    "ConflictComment",
    "ExclusionReason",
    "FullText",
    "PilotRound",
    "QueueClaim",
    "QueueOrder",
    "QueueSkip",
    "RankerRun",
    "RelevanceScore",
    "Resolution",
    "ScreeningSettings",
    "Stage",
    "StageOutcome",
    "Status",
    "StoppingSample",
    "Vote",
    "VoteEvent",
    "fulltext_path",
]
