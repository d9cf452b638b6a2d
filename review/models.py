from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from review.append_only import AppendOnlyModel


class Role(models.TextChoices):
    # Ordered from least to most power; ROLE_RANK compares them.
    VIEWER = "viewer", "Viewer"
    REVIEWER = "reviewer", "Reviewer"
    # A reviewer who may also settle screening conflicts (the "third reviewer" of many protocols), without the
    # lead's administration of members, settings, searches and exports.
    ARBITER = "arbiter", "Arbiter"
    LEAD = "lead", "Lead"


ROLE_RANK = {Role.VIEWER: 1, Role.REVIEWER: 2, Role.ARBITER: 3, Role.LEAD: 4}
RESOLVER_ROLES = (Role.ARBITER, Role.LEAD)  # who may decide a screening conflict


class JSONTextField(models.JSONField):
    """JSON kept as text on PostgreSQL rather than jsonb, for values that are stored whole and shown, never queried.

    jsonb is parsed into a binary form when stored and printed back when read; for the original tags of every
    imported record that was a sixth of PostgreSQL's work in a large import. Python sees the same values as with
    JSONField; lookups on the value (`__contains`, `__has_key`, exact) are not available on PostgreSQL, while whole
    rows still compare (DISTINCT), which PostgreSQL's json type would not allow.
    """

    def db_type(self, connection):  # type: ignore[no-untyped-def]
        if connection.vendor == "postgresql":
            return "text"
        return super().db_type(connection)


class DedupVersions(models.TextChoices):
    """What deduplication does with a preprint and its journal version (the engine's scoring.VERSIONS)."""

    POSSIBLE = "possible", "Ask a person (possible duplicate)"
    SAME = "same", "Versions are one study: merge them"
    SEPARATE = "separate", "Separate records: never merge them"


class Review(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField("objective", blank=True)
    inclusion_criteria = models.TextField(blank=True)
    exclusion_criteria = models.TextField(blank=True)
    votes_required_title_abstract = models.PositiveSmallIntegerField(default=2)
    votes_required_full_text = models.PositiveSmallIntegerField(default=2)
    blinded = models.BooleanField(default=True)
    dedup_automatic = models.BooleanField("Deduplicate automatically after each import", default=True)
    dedup_versions = models.CharField(
        "A preprint and its journal version",
        max_length=10,
        choices=DedupVersions.choices,
        default=DedupVersions.POSSIBLE,
        help_text="Deduplication merges them, keeps them apart, or (the default) asks a person.",
    )
    # An updated review: what the previous version included (PRISMA's "previous studies" boxes).
    previous_studies = models.PositiveIntegerField(default=0)
    previous_reports = models.PositiveIntegerField(default=0)
    previous_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(votes_required_title_abstract__gte=1, votes_required_title_abstract__lte=10),
                name="review_votes_ta_range",
            ),
            models.CheckConstraint(
                condition=Q(votes_required_full_text__gte=1, votes_required_full_text__lte=10),
                name="review_votes_ft_range",
            ),
            models.CheckConstraint(
                condition=Q(dedup_versions__in=[v.value for v in DedupVersions]), name="review_dedup_versions_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="membership_unique_user_per_review"),
            models.CheckConstraint(condition=Q(role__in=[r.value for r in Role]), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.review_id}"


class Invitation(models.Model):
    """A single-use, expiring invitation; only a hash of the token is stored.

    Either a new person by e-mail (they choose a username and password from the link), or an existing account
    (`invitee`), who accepts or declines it while logged in: nobody is added to a review without consent.
    `email` is only ever what the inviting lead typed, so showing it to them discloses nothing new.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(blank=True)
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="review_invitations"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    # The link is derived from this seed and SECRET_KEY, so the lead can copy it again from the Members page while
    # the database alone never holds a working link.
    link_seed = models.CharField(max_length=32, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | Q(invitee__isnull=False), name="invitation_has_email_or_invitee"
            ),
            models.UniqueConstraint(
                fields=["review", "invitee"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True, declined_at__isnull=True),
                name="invitation_one_pending_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email or self.invitee_id} to {self.review_id}"

    @property
    def invited_as(self) -> str:
        """What the lead typed: the e-mail address, or for an account invited by name, its username."""
        return self.email or (self.invitee.get_username() if self.invitee else "")


class ApiToken(models.Model):
    """A per-user API token. The key is shown once; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Why it was revoked when no person pressed "revoke" (a password change or reset).
    revoked_reason = models.CharField(max_length=60, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Unset: works until revoked")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


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


class Job(models.Model):
    """A background job (import, deduplication, ...) with progress that pages and the API poll."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Recovery after a worker dies (review/services/job_recovery.py): the task that runs the job, written when it
    # is enqueued; the running worker's latest sign of life; how often the job was sent again.
    task = models.CharField(max_length=200, blank=True)
    task_args = models.JSONField(default=list, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    recoveries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat_idx")]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class Search(models.Model):
    """One database search (with its date and query) or one other-methods source; PRISMA's two branches."""

    class Kind(models.TextChoices):
        DATABASE = "database", "Database or register search"
        OTHER = "other", "Other methods"

    class OtherMethod(models.TextChoices):
        CITATION = "citation", "Citation searching"
        WEBSITE = "website", "Websites"
        ORGANISATION = "organisation", "Organisations"
        REGISTER = "register", "Registers"
        HAND = "hand", "Hand search"
        OTHER = "other", "Other"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="searches")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DATABASE)
    database = models.CharField(max_length=120, blank=True, help_text="PubMed, Embase, CINAHL, ... or free text")
    is_register = models.BooleanField(default=False, help_text="A trials register (PRISMA counts registers apart)")
    other_method = models.CharField(max_length=20, choices=OtherMethod.choices, blank=True)
    platform = models.CharField(max_length=120, blank=True, help_text="e.g. Ovid, embase.com, EBSCOhost")
    date_searched = models.DateField(null=True, blank=True)
    query = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    # Counts from outside the app (PRISMA identification): what the database reported, and records removed before
    # the export was imported here (e.g. duplicates removed in EndNote), with a note saying how.
    hits_reported = models.PositiveIntegerField(null=True, blank=True)
    removed_before_import = models.PositiveIntegerField(default=0)
    outside_note = models.TextField(blank=True)
    # A search whose records were screened cannot be deleted; it is archived (no more uploads), its records kept.
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="other") | ~Q(database=""), name="search_database_named"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == self.Kind.OTHER:
            return self.get_other_method_display() or "Other methods"
        when = f" ({self.date_searched:%Y-%m-%d})" if self.date_searched else ""
        via = f" via {self.platform}" if self.platform else ""
        return f"{self.database}{via}{when}"


def search_file_path(instance: SearchFile, filename: str) -> str:
    # The stored name is ours; the person's file name is kept in original_name and never used as a path.
    return f"reviews/{instance.review_id}/searches/{instance.search_id}/{instance.sha256[:16]}.bin"


class SearchFile(models.Model):
    """An uploaded export file; its original bytes are kept for the record and the review bundle."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PREVIEWED = "previewed", "Ready to import"
        UNREADABLE = "unreadable", "Could not be read"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Import failed"
        DISCARDED = "discarded", "Discarded"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="search_files")
    search = models.ForeignKey(Search, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=search_file_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    requested_format = models.CharField(max_length=20, default="auto")
    requested_encoding = models.CharField(
        max_length=20, default="auto", help_text="'auto', or the encoding the lead chose for reading the file"
    )
    import_when_previewed = models.BooleanField(
        default=False, help_text="Import as soon as the preview finds the file readable (scripts ask for this)"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    format = models.CharField(max_length=20, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    encoding_certain = models.BooleanField(
        default=True, help_text="False when the encoding was a judgement (a legacy code page): the preview shows why"
    )
    # When the encoding was a judgement: the first lines with non-ASCII characters as decoded ([{line, text}]).
    encoding_lines = models.JSONField(default=list, blank=True)
    detected_database = models.CharField(max_length=120, blank=True)
    record_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=list, blank=True)  # the first records, for the confirmation page
    problems = models.JSONField(default=list, blank=True)  # the first MAX_STORED_PROBLEMS of problem_count
    problem_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="An earlier file of this review with the same bytes",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["review", "sha256"])]

    def __str__(self) -> str:
        return self.original_name


class Record(models.Model):
    """One bibliographic record as imported (or added by hand), with its provenance.

    Records are never deleted by deduplication: a duplicate points at the primary record of its group through
    `merged_into`, and screening sees only records that are not merged into another.
    """

    # Indexes are few on purpose: every index is written for each of a file's 100,000 records. `review` leads the
    # two composite indexes below and `search_file` leads the unique position constraint, so neither needs its own.
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="records", db_index=False)
    search = models.ForeignKey(Search, on_delete=models.PROTECT, related_name="records")
    search_file = models.ForeignKey(
        SearchFile, on_delete=models.PROTECT, null=True, blank=True, related_name="records", db_index=False
    )
    position = models.PositiveIntegerField(help_text="1-based position in its file (or order of hand entry)")
    line = models.PositiveIntegerField(null=True, blank=True)
    title = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    journal = models.TextField(blank=True)
    journal_abbrev = models.CharField(max_length=300, blank=True)
    volume = models.CharField(max_length=60, blank=True)
    issue = models.CharField(max_length=60, blank=True)
    pages = models.CharField(max_length=60, blank=True)
    doi = models.CharField(max_length=300, blank=True)
    pmid = models.CharField(max_length=20, blank=True)
    pmcid = models.CharField(max_length=20, blank=True)
    accession_numbers = models.JSONField(default=list, blank=True)
    issn = models.JSONField(default=list, blank=True)
    isbn = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    mesh = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=60, blank=True)
    publication_type = models.CharField(max_length=200, blank=True)
    url = models.TextField(blank=True)
    source_database = models.CharField(max_length=120, blank=True)
    raw = JSONTextField(default=list, blank=True, help_text="Every original tag and value, in file order")
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates", db_index=False
    )
    removed_reason = models.CharField(
        max_length=300, blank=True, help_text="Removed before screening for another reason (PRISMA)"
    )
    # PRISMA counts removals by automation tools apart; the person removing says so, the reason text does not.
    # A database default too: imports write records with COPY, naming only the columns they fill.
    removed_automatic = models.BooleanField(default=False, db_default=False)
    report_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="additional_reports",
        help_text="This record is an additional report of that study (PRISMA counts studies and reports apart)",
        db_index=False,
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["search_file", "position"],
                condition=Q(search_file__isnull=False),
                name="record_unique_position_in_file",
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="record_not_merged_into_itself"),
        ]
        indexes = [
            models.Index(fields=["review", "merged_into"]),
            models.Index(fields=["review", "search"]),
            # Exact DOI and PMID lookups (the records page's search box); no query matches them by prefix, so
            # PostgreSQL's extra varchar_pattern_ops copies of these two indexes are not kept.
            models.Index(fields=["doi"], name="record_doi"),
            models.Index(fields=["pmid"], name="record_pmid"),
            # Links that imported records almost never have: indexing only the rows that have one keeps the
            # lookups (duplicates of a record, reports of a study, the user's hand-added records, deletions'
            # reference checks) fast at no cost to an import.
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="record_merged_into"),
            models.Index(fields=["report_of"], condition=Q(report_of__isnull=False), name="record_report_of"),
            models.Index(fields=["added_by"], condition=Q(added_by__isnull=False), name="record_added_by"),
        ]

    def __str__(self) -> str:
        return self.title[:80] or f"record {self.pk}"

    @property
    def first_author(self) -> str:
        return self.authors[0] if self.authors else ""


class DedupRun(models.Model):
    """One deduplication pass over a review's records; its figures and the job that ran it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="dedup_runs")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"dedup run {self.pk} of review {self.review_id}"


class DuplicateDecision(models.Model):
    """A person's verdict on a pair of records; later runs respect it. record_a has the lower id."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="duplicate_decisions")
    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    same = models.BooleanField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(record_a__lt=models.F("record_b")), name="decision_pair_ordered"),
        ]
        indexes = [models.Index(fields=["review", "record_a", "record_b"])]

    def __str__(self) -> str:
        return f"{self.record_a_id}{'=' if self.same else '≠'}{self.record_b_id}"


class PossibleDuplicate(models.Model):
    """A pair the engine could not decide, waiting for a person. record_a has the lower id."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="possible_duplicates")
    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reason = models.CharField(max_length=300)
    run = models.ForeignKey(DedupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decision = models.ForeignKey(DuplicateDecision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_a", "record_b"], condition=Q(decision__isnull=True), name="possible_pair_open_once"
            ),
            models.CheckConstraint(condition=Q(record_a__lt=models.F("record_b")), name="possible_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.record_a_id}~{self.record_b_id} ({self.score:.2f})"


class MergeEvent(models.Model):
    """The dedup log: a record hidden as a duplicate of a kept record, why, by what, and whether it was undone."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="merge_events")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="merge_events")
    kept = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=300)
    score = models.FloatField(null=True, blank=True)
    run = models.ForeignKey(DedupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undo_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["review", "undone_at"])]

    def __str__(self) -> str:
        return f"{self.record_id} -> {self.kept_id} ({self.rule})"


from review.models_labels import RecordEdit, RecordNote, RecordTag, Tag  # noqa: E402  (registered with the app)

__all__ = ["RecordEdit", "RecordNote", "RecordTag", "Tag"]
