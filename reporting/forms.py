"""The report pages' POSTs, read through forms: a missing, non-numeric or unknown value is a 400 with the
field's message, never a 500, and nothing is written. Rules (who may, what a count must satisfy) stay in the
services; these forms only turn the POST into typed values."""

from __future__ import annotations

from typing import Any

from django import forms

from review.models import Record, Review, Search


class RecordActionForm(forms.Form):
    """The lead's actions on a record's PRISMA page: remove before screening, restore, link as a report."""

    action = forms.ChoiceField(choices=[("remove", "remove"), ("restore", "restore"), ("link", "link")])
    reason = forms.CharField(required=False, max_length=280, strip=True)
    automatic = forms.BooleanField(required=False)
    study = forms.IntegerField(
        required=False, min_value=1, error_messages={"invalid": "Give the study's record number"}
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review = review

    def clean_study(self) -> Record | None:
        number = self.cleaned_data.get("study")
        if number is None:
            return None
        study = Record.objects.filter(pk=number, review=self.review).first()
        if study is None:
            raise forms.ValidationError(f"No record {number} in this review")
        return study


class OutsideSearchForm(forms.Form):
    """A search's hits as its database reported them and the records removed before import."""

    search = forms.ModelChoiceField(queryset=Search.objects.none(), error_messages={"invalid_choice": "No such search"})
    hits_reported = forms.IntegerField(required=False, min_value=0)
    removed_before_import = forms.IntegerField(required=False, min_value=0)
    outside_note = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["search"].queryset = Search.objects.filter(review=review)  # type: ignore[attr-defined]


class PreviousVersionForm(forms.Form):
    """What a previous version of the review included."""

    previous_studies = forms.IntegerField(min_value=0)
    previous_reports = forms.IntegerField(min_value=0)
    previous_note = forms.CharField(required=False, max_length=2000)
