"""REST API for screening. Same services, selectors (hence the same blinding) and access function as the pages."""

from screening.api.conflicts import ConflictComments, ConflictDetail, ConflictList, ConflictResolution
from screening.api.files import ExclusionReasons, FullTextView, NotRetrieved, Progress
from screening.api.pilots import PilotClose, Pilots
from screening.api.settings import (
    ExclusionReasonDetail,
    ExclusionReasonMove,
    ExclusionReasonOrder,
    ScreeningSettingsView,
)
from screening.api.undo import UndoLastVote
from screening.api.votes import HoldRecord, MyVotes, NextRecord, RecordVote, SkipRecord, StageVotes

__all__ = [
    "ConflictComments",
    "ConflictDetail",
    "ConflictList",
    "ConflictResolution",
    "ExclusionReasonDetail",
    "ExclusionReasonMove",
    "ExclusionReasonOrder",
    "ExclusionReasons",
    "FullTextView",
    "HoldRecord",
    "MyVotes",
    "NextRecord",
    "NotRetrieved",
    "PilotClose",
    "Pilots",
    "Progress",
    "RecordVote",
    "ScreeningSettingsView",
    "SkipRecord",
    "StageVotes",
    "UndoLastVote",
]
