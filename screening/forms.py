"""Every HTML POST of the screening pages is read through one of these forms.

They parse and bound what a browser sends (a number is a number, a choice is one of the choices); the rules of the
domain (a full-text exclusion needs a reason, a rationale is required) stay in the services, which say why in the
person's words. A malformed value is therefore a 400 with the form's message, never a server error.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from screening.models import Choice, QueueOrder
from screening.services.votes import VoteInput

MAX_ID = 2**63 - 1  # ids are bigints: a larger number names nothing, and is refused rather than sent to the database
_DIGITS = re.compile(r"[0-9]{1,18}")


class VoteForm(forms.Form):
    """A vote from the screening screen or a conflict page. At full text the reason buttons submit the form
    themselves: a reason without a choice means "exclude"."""

    choice = forms.ChoiceField(choices=Choice.choices, required=False)
    reason = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    reason_other = forms.CharField(required=False, max_length=300, strip=False)
    note = forms.CharField(required=False, max_length=5000, strip=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("choice") and "choice" not in self.errors:
            if "reason" in self.data:
                cleaned["choice"] = Choice.EXCLUDE.value
            else:
                raise forms.ValidationError("Choose include, exclude or maybe")
        return cleaned

    def vote_input(self) -> VoteInput:
        data = self.cleaned_data
        return VoteInput(
            choice=data["choice"],
            reason_id=data.get("reason"),
            reason_other=data.get("reason_other") or "",
            note=data.get("note") or "",
        )


class ConflictCommentForm(forms.Form):
    text = forms.CharField(required=False, max_length=10000, strip=False)


class ConflictResolutionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(Choice.INCLUDE.value, "include"), (Choice.EXCLUDE.value, "exclude")])
    rationale = forms.CharField(required=False, max_length=10000, strip=False)
    reason = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    reason_other = forms.CharField(required=False, max_length=300, strip=False)


class FullTextUploadForm(forms.Form):
    file = forms.FileField(error_messages={"required": "Choose a PDF file"})


class NotRetrievedForm(forms.Form):
    note = forms.CharField(required=False, max_length=1000, strip=False)


class ReasonAddForm(forms.Form):
    label = forms.CharField(required=False, max_length=200, strip=False)


class ReasonChangeForm(forms.Form):
    """One button of a reason's row: move it, archive or restore it, or rename it (the default)."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("up", "down", "archive", "restore", "rename")], required=False)
    label = forms.CharField(required=False, max_length=200, strip=False)


class PilotForm(forms.Form):
    action = forms.ChoiceField(choices=[("start", "start"), ("close", "close")], required=False)
    size = forms.IntegerField(required=False, min_value=0, max_value=100_000)
    pilot = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "close" and cleaned.get("pilot") is None and "pilot" not in self.errors:
            raise forms.ValidationError("Say which pilot round to close")
        return cleaned


class SettingsForm(forms.Form):
    votes_required_title_abstract = forms.IntegerField(
        required=False, min_value=1, max_value=10, label="Votes required per record at title/abstract"
    )
    votes_required_full_text = forms.IntegerField(
        required=False, min_value=1, max_value=10, label="Votes required per record at full text"
    )
    maybe_goes_to_full_text = forms.BooleanField(
        required=False, label="In case of uncertainty go to full text (include+maybe, maybe+maybe are included)"
    )
    reason_mismatch_is_conflict = forms.BooleanField(
        required=False,
        label="Full-text exclusions with different reasons are a conflict (off: the first of them in the ranked "
        "list of reasons is kept)",
    )
    title_abstract_reasons = forms.BooleanField(
        required=False, label="Reviewers may give a reason when they exclude at title/abstract"
    )
    order_title_abstract = forms.ChoiceField(choices=QueueOrder.choices, label="Order at title/abstract")
    order_full_text = forms.ChoiceField(choices=QueueOrder.choices, label="Order at full text")
    random_seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, label="Seed of the random order")
    show_relevance = forms.BooleanField(
        required=False, label="Show reviewers the ranker's relevance estimate (off avoids anchoring their votes)"
    )
    stop_target_recall = forms.FloatField(
        required=False,
        min_value=0.5,
        max_value=0.999,
        label="Stopping rule: target recall (e.g. 0.95 for 95% of relevant records)",
    )
    stop_confidence = forms.FloatField(
        required=False,
        min_value=0.5,
        max_value=0.999,
        label="Stopping rule: confidence of the recall statement (e.g. 0.95)",
    )
    include_terms = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Terms highlighted green (one per line)"
    )
    exclude_terms = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Terms highlighted red (one per line)"
    )


class BlindingForm(forms.Form):
    # Required: unblinding shows every vote to everyone and cannot be taken back, so only the button says it.
    blinded = forms.ChoiceField(choices=[("on", "on"), ("off", "off")])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's own recipe: a FileField that cleans a list)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        found = single(data or None, initial)  # nothing sent: the field's own "required" message
        return [found] if found else []


class BulkUploadForm(forms.Form):
    files = MultipleFileField(error_messages={"required": "Choose PDF files or a zip of them"})  # type: ignore[assignment]


class BulkApplyForm(forms.Form):
    """The checked matches of a bulk upload: `item_<upload id>` is a record id, "discard", or empty (not yet)."""

    PREFIX = "item_"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decisions: dict[int, int | None] = {}
        for key in self.data:
            if not key.startswith(self.PREFIX):
                continue
            item = key[len(self.PREFIX) :]
            value = str(self.data.get(key, "")).strip()
            if not _DIGITS.fullmatch(item) or not (value in ("", "discard") or _DIGITS.fullmatch(value)):
                raise forms.ValidationError(f"{key}: choose a record or discard, not {value[:50]!r}")
            if value == "":
                continue
            decisions[int(item)] = None if value == "discard" else int(value)
        if not decisions:
            raise forms.ValidationError("Choose a record, or discard, for at least one file")
        cleaned["decisions"] = decisions
        return cleaned
