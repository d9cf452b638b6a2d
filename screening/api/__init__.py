"""REST API for screening. Same services, selectors (hence the same blinding) and access function as the pages."""

from screening.api.conflicts import ConflictComments, ConflictDetail, ConflictList, ConflictResolution
from screening.api.files import ExclusionReasons, FullTextView, NotRetrieved, Progress
from screening.api.votes import MyVotes, NextRecord, RecordVote, SkipRecord

__all__ = [
    "ConflictComments",
    "ConflictDetail",
    "ConflictList",
    "ConflictResolution",
    "ExclusionReasons",
    "FullTextView",
    "MyVotes",
    "NextRecord",
    "NotRetrieved",
    "Progress",
    "RecordVote",
    "SkipRecord",
]
