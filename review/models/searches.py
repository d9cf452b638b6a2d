"""Searches, their uploaded files and the background jobs that read them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from review.models.reviews import Review


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
