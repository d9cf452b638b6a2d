"""The review's append-only audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from review.append_only import AppendOnlyModel
from review.models.reviews import Review


class AuditEvent(AppendOnlyModel):
    """Append-only log of what changed in a review, by whom and when."""

    class Action(models.TextChoices):
        CHARTING_ASSIGNED = "charting.assigned", "Charting: assigned"
        CHARTING_ASSIGNED_PENDING = "charting.assigned_pending", "Charting: assigned pending"
        CHARTING_CONSENSUS = "charting.consensus", "Charting: consensus"
        CHARTING_FIELD_ADDED = "charting.field.added", "Charting: field added"
        CHARTING_FIELD_DELETED = "charting.field.deleted", "Charting: field deleted"
        CHARTING_FIELD_MOVED = "charting.field.moved", "Charting: field moved"
        CHARTING_FIELD_UPDATED = "charting.field.updated", "Charting: field updated"
        CHARTING_FORM_CREATED = "charting.form.created", "Charting: form created"
        CHARTING_FORM_SETTINGS = "charting.form.settings", "Charting: form settings"
        CHARTING_FORM_VERSION = "charting.form.version", "Charting: form version"
        CHARTING_INSTANCE_REMOVED = "charting.instance_removed", "Charting: instance of a repeating group removed"
        CHARTING_PILOT_ASSIGNED = "charting.pilot_assigned", "Charting: pilot assigned"
        CHARTING_REASSIGNED = "charting.reassigned", "Charting: reassigned"
        CHARTING_REOPENED = "charting.reopened", "Charting: reopened"
        CHARTING_REPORT_PAIR_DISMISSED = "charting.report_pair_dismissed", "Charting: suggested reports dismissed"
        CHARTING_REPORT_JOINED_STUDY = "charting.report_joined_study", "Charting: a report's charting joined its study"
        CHARTING_SECTION_ADDED = "charting.section.added", "Charting: section added"
        CHARTING_SECTION_CHANGED = "charting.section.changed", "Charting: section renamed or made repeating"
        CHARTING_SECTION_DELETED = "charting.section.deleted", "Charting: section deleted"
        CHARTING_SECTION_RENAMED = "charting.section.renamed", "Charting: section renamed"
        CHARTING_SUBMITTED = "charting.submitted", "Charting: submitted"
        DEDUP_DECIDED = "dedup.decided", "Deduplication: decided"
        DEDUP_FINISHED = "dedup.finished", "Deduplication: finished"
        DEDUP_GROUP_SPLIT = "dedup.group_split", "Deduplication: group split"
        DEDUP_STARTED = "dedup.started", "Deduplication: started"
        IMPORT_COMPLETED = "import.completed", "Import: completed"
        IMPORT_CONFIRMED = "import.confirmed", "Import: confirmed"
        IMPORT_ENCODING_CHOSEN = "import.encoding_chosen", "Import: encoding chosen"
        IMPORT_DISCARDED = "import.discarded", "Import: discarded"
        IMPORT_UPLOADED = "import.uploaded", "Import: uploaded"
        MEMBER_ADDED = "member.added", "Member: added"
        MEMBER_DECLINED = "member.declined", "Member: invitation declined"
        MEMBER_INVITATION_REVOKED = "member.invitation_revoked", "Member: invitation revoked"
        MEMBER_INVITED = "member.invited", "Member: invited"
        MEMBER_JOINED = "member.joined", "Member: joined"
        MEMBER_LEFT = "member.left", "Member: left"
        MEMBER_REMOVED = "member.removed", "Member: removed"
        MEMBER_ROLE_CHANGED = "member.role_changed", "Member: role changed"
        RECORD_ADDED = "record.added", "Record: added"
        RECORD_EDITED = "record.edited", "Record: metadata corrected"
        RECORD_NOTE_ADDED = "record.note_added", "Record: note added"
        RECORD_REMOVED_BEFORE_SCREENING = "record.removed_before_screening", "Record: removed before screening"
        RECORD_REPORT_LINKED = "record.report_linked", "Record: report linked"
        RECORD_RESTORED = "record.restored", "Record: restored"
        RECORD_TAGGED = "record.tagged", "Record: tagged"
        RECORD_UNTAGGED = "record.untagged", "Record: tag removed"
        REVIEW_BUNDLE_IMPORTED = "review.bundle_imported", "Review: bundle imported"
        REVIEW_CREATED = "review.created", "Review: created"
        REVIEW_PREVIOUS_VERSION_SET = "review.previous_version_set", "Review: previous version set"
        REVIEW_UPDATED = "review.updated", "Review: updated"
        SCREENING_CONFLICT_COMMENTED = "screening.conflict_commented", "Screening: conflict commented"
        SCREENING_CONFLICT_RESOLVED = "screening.conflict_resolved", "Screening: conflict resolved"
        SCREENING_CONFLICT_SETTLED_BY_VOTES = (
            "screening.conflict_settled_by_votes",
            "Screening: conflict settled by votes",
        )
        SCREENING_FULLTEXT_NOT_RETRIEVED = "screening.fulltext_not_retrieved", "Screening: full text not retrieved"
        SCREENING_FULLTEXT_REPLACED = "screening.fulltext_replaced", "Screening: full text replaced"
        SCREENING_FULLTEXT_RETRIEVED = "screening.fulltext_retrieved", "Screening: full text retrieved"
        SCREENING_FULLTEXT_UPLOADED = "screening.fulltext_uploaded", "Screening: full text uploaded"
        SCREENING_FULLTEXTS_BULK_ATTACHED = (
            "screening.fulltexts_bulk_attached",
            "Screening: full texts attached in bulk",
        )
        SCREENING_FULLTEXTS_BULK_UPLOADED = (
            "screening.fulltexts_bulk_uploaded",
            "Screening: full texts uploaded in bulk",
        )
        SCREENING_PILOT_CLOSED = "screening.pilot_closed", "Screening: pilot closed"
        SCREENING_PILOT_STARTED = "screening.pilot_started", "Screening: pilot started"
        SCREENING_RANKER_RETRAIN_REQUESTED = "screening.ranker_retrain_requested", "Screening: ranker retrain requested"
        SCREENING_REASON_ADDED = "screening.reason_added", "Screening: reason added"
        SCREENING_REASON_UPDATED = "screening.reason_updated", "Screening: reason updated"
        SCREENING_REASONS_REORDERED = "screening.reasons_reordered", "Screening: reasons reordered"
        SCREENING_SETTINGS_UPDATED = "screening.settings_updated", "Screening: settings updated"
        SCREENING_STOPPING_SAMPLE_STARTED = "screening.stopping_sample_started", "Screening: stopping sample started"
        SEARCH_CREATED = "search.created", "Search: created"
        SEARCH_ARCHIVED = "search.archived", "Search: archived"
        SEARCH_DELETED = "search.deleted", "Search: deleted"
        SEARCH_UPDATED = "search.updated", "Search: updated"
        SEARCH_OUTSIDE_COUNTS_SET = "search.outside_counts_set", "Search: counts from outside the app set"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # One of Action, checked by review.services.reviews.audit. Not a database choice list, so that adding an action
    # needs no migration.
    action = models.CharField(max_length=60)
    detail = models.JSONField(default=dict, blank=True)
    # A default rather than auto_now_add: the row is written once, with its time, even when a bundle restores it.
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["review", "action"])]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        try:
            return str(self.Action(self.action).label)
        except ValueError:  # a row written before its action was renamed
            return self.action
