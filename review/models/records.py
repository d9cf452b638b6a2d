"""Records as imported, and what deduplication decided about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from review.models.reviews import Review
from review.models.searches import Job, Search, SearchFile


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
