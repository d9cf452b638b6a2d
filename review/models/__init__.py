"""The review app's tables, one module per subject; everything is importable from `review.models`."""

from review.models.audit import AuditEvent
from review.models.labels import RecordEdit, RecordNote, RecordTag, Tag
from review.models.records import (
    DedupRun,
    DuplicateDecision,
    JSONTextField,
    MergeEvent,
    PossibleDuplicate,
    Record,
)
from review.models.reviews import (
    RESOLVER_ROLES,
    ROLE_RANK,
    ApiToken,
    DedupVersions,
    Invitation,
    Membership,
    Review,
    Role,
)
from review.models.searches import Job, Search, SearchFile, search_file_path

__all__ = [
    "RESOLVER_ROLES",
    "ROLE_RANK",
    "ApiToken",
    "AuditEvent",
    "DedupRun",
    "DedupVersions",
    "DuplicateDecision",
    "Invitation",
    "JSONTextField",
    "Job",
    "Membership",
    "MergeEvent",
    "PossibleDuplicate",
    "Record",
    "RecordEdit",
    "RecordNote",
    "RecordTag",
    "Review",
    "Role",
    "Search",
    "SearchFile",
    "Tag",
    "search_file_path",
]
