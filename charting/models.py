"""Extraction forms (versioned), extractions by independent extractors, and consensus values.

Values are keyed by a field's `key`, which stays the same across form versions: a value charted on version 1 is
still the value of that field on version 3, and a field deleted from a later version keeps its data.
Values and consensus decisions are appended, never overwritten: the latest row is the current one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from charting.fieldtypes import FieldType
from review.models import Record, Review


class Form(models.Model):
    """A review's extraction form. A review charts with one form; its definition lives in versions."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="charting_form")
    title = models.CharField(max_length=200, default="Data charting form")
    extractors_per_study = models.PositiveSmallIntegerField(default=2)
    origin = models.CharField(max_length=200, blank=True, help_text="Template or review it was copied from")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(extractors_per_study__gte=1, extractors_per_study__lte=5),
                name="charting_form_extractors_range",
            )
        ]

    def __str__(self) -> str:
        return self.title


class FormVersion(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="charting_version_unique_number")]

    def __str__(self) -> str:
        return f"version {self.number}"


class Section(models.Model):
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=60, help_text="Stable across versions, like a field's key")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    # A repeating group: its fields are filled once per instance (each model, dataset or outcome a study reports).
    repeating = models.BooleanField(default=False)
    instance_label = models.CharField(max_length=60, blank=True, help_text="What one instance is, e.g. 'Model'")

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="charting_section_unique_key_per_version")
        ]

    def __str__(self) -> str:
        return self.title


class Field(models.Model):
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="fields")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(max_length=60, help_text="Stable name: the CSV column and the link between versions")
    label = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    type = models.CharField(max_length=20, choices=FieldType.choices)
    required = models.BooleanField(default=False)
    unit = models.CharField(max_length=40, blank=True)
    # Ordered [{"value": "cnn", "label": "CNN"}, ...]; values are stable codes, labels may be reworded.
    choices = models.JSONField(default=list, blank=True)
    allow_other = models.BooleanField(default=False, help_text="Offer 'Other, specify' with a free-text box")
    position = models.PositiveIntegerField(default=0)
    condition_key = models.SlugField(max_length=60, blank=True, help_text="Show only when this field ...")
    condition_value = models.CharField(max_length=200, blank=True, help_text="... has this value")

    class Meta:
        ordering = ["version", "section__position", "section_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="charting_field_unique_key_per_version"),
            models.CheckConstraint(condition=Q(type__in=[t.value for t in FieldType]), name="charting_field_type"),
        ]

    def __str__(self) -> str:
        return self.label


class Extraction(models.Model):
    """One extractor's charting of one study in one round (pilot or main).

    `record` is the study's main report: a record that is an additional report of another (`report_of`) is charted
    with its study, never on its own (charting.selectors.studies keeps this when reports are linked).
    """

    class Round(models.TextChoices):
        PILOT = "pilot", "Pilot"
        MAIN = "main", "Main"

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Reassigned"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="extractions")
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="extractions")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="extractions")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="extractions")
    extractor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extractions")
    round = models.CharField(max_length=10, choices=Round.choices, default=Round.MAIN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["record_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "extractor", "round"],
                condition=~Q(status="withdrawn"),
                name="charting_extraction_one_active_per_extractor",
            ),
            models.CheckConstraint(condition=Q(round__in=["pilot", "main"]), name="charting_extraction_round"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "withdrawn"]), name="charting_extraction_status"
            ),
        ]
        indexes = [models.Index(fields=["review", "round", "status"]), models.Index(fields=["extractor", "status"])]

    def __str__(self) -> str:
        return f"{self.round} extraction of record {self.record_id} by {self.extractor_id}"


class ExtractionValue(models.Model):
    """One saved answer of one field; the newest row per (extraction, field_key, instance) is current. None clears.

    `instance` is 0 for a field outside repeating groups and 1, 2, ... for the instances of a repeating group.
    The optional source quote and page say where in the report the answer was found.
    """

    extraction = models.ForeignKey(Extraction, on_delete=models.CASCADE, related_name="values")
    field_key = models.SlugField(max_length=60)
    instance = models.PositiveSmallIntegerField(default=0)
    value = models.JSONField(null=True, blank=True)
    quote = models.TextField(blank=True)
    page = models.CharField(max_length=20, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["extraction", "field_key", "instance", "id"]
        indexes = [models.Index(fields=["extraction", "field_key"])]

    def __str__(self) -> str:
        return f"{self.field_key}={self.value!r}"


class ConsensusValue(models.Model):
    """The agreed value of one field for one study; the newest row per (record, field_key, instance) is final.

    `record` is the study's main report (see charting.selectors.studies); `instance` as in ExtractionValue.
    """

    class Source(models.TextChoices):
        AGREED = "agreed", "Extractors agreed"
        CHOSEN = "chosen", "Chosen from an extraction"
        EDITED = "edited", "Entered at consensus"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="consensus_values")
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="consensus_values")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="consensus_values")
    field_key = models.SlugField(max_length=60)
    instance = models.PositiveSmallIntegerField(default=0)
    value = models.JSONField(null=True, blank=True)
    quote = models.TextField(blank=True)
    page = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    note = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record_id", "field_key", "instance", "id"]
        indexes = [models.Index(fields=["form", "record", "field_key"])]

    def __str__(self) -> str:
        return f"{self.field_key}={self.value!r} for record {self.record_id}"


class ReportPairDismissal(models.Model):
    """The lead's word that a suggested pair of records are not reports of one study: it is not suggested again.

    record_a has the lower id, as in the deduplication pairs the suggestion came from.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="report_pair_dismissals")
    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="charting_report_pair_dismissed_once"),
            models.CheckConstraint(condition=Q(record_a__lt=models.F("record_b")), name="charting_report_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.record_a_id}≠{self.record_b_id} (not one study)"
