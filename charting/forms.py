"""HTML forms of the charting pages: the form builder, assignment, consensus and reports. Rules live in the
services; these turn a POST into typed values, looking every id up among what this review offers, so a missing,
non-numeric or unknown value is a message and never a 500."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.models import User

from charting.answers import MAX_INSTANCES
from charting.fieldtypes import FieldType
from charting.form_templates import template_choices
from charting.keys import ChoiceLinesError, parse_choice_lines
from charting.models import Field, Section
from review.models import Record, Review


def _start_choices() -> list[tuple[str, str]]:
    # Nothing preselected: a new review chooses its starting point (the built-in template is one choice of several).
    return [("", "Choose how to start"), ("blank", "An empty form")] + [
        (f"template:{k}", f"Template: {t}") for k, t in template_choices()
    ]


class FormStartForm(forms.Form):
    start = forms.ChoiceField(label="Start from", choices=_start_choices)
    title = forms.CharField(max_length=200, required=False, help_text="Leave empty to use the template's title")

    def __init__(self, *args: Any, copy_sources: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        copies = [(f"review:{slug}", f"Copy the form of “{title}”") for slug, title in copy_sources or []]
        start = self.fields["start"]
        assert isinstance(start, forms.ChoiceField)
        start.choices = [*_start_choices(), *copies]


class FormSettingsForm(forms.Form):
    title = forms.CharField(max_length=200)
    extractors_per_study = forms.IntegerField(
        min_value=1, max_value=5, label="Extractors per study", help_text="Independent extractions of each study"
    )


class SectionForm(forms.Form):
    title = forms.CharField(max_length=200, label="Section title")
    repeating = forms.BooleanField(
        required=False,
        label="Repeating group",
        help_text="Its fields are filled once per instance: each model, dataset or outcome a study reports",
    )
    instance_label = forms.CharField(max_length=60, required=False, label="One instance is a", help_text="e.g. Model")


class FieldForm(forms.Form):
    label = forms.CharField(max_length=300)
    type = forms.ChoiceField(choices=FieldType.choices)
    section = forms.ChoiceField(choices=[])
    help_text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    required = forms.BooleanField(required=False)
    unit = forms.CharField(max_length=40, required=False, help_text="For numbers, e.g. ms, kg, %")
    choices_text = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line, in order. Write “code = Label” to keep a code when rewording a label.",
    )
    allow_other = forms.BooleanField(required=False, label="Offer “Other, specify”")
    condition_key = forms.ChoiceField(label="Show only when", required=False, choices=[])
    condition_value = forms.CharField(
        label="has the answer", required=False, max_length=200, help_text="An option code, or yes / no / unclear"
    )

    def __init__(
        self, *args: Any, sections: list[Section], fields: list[Field], existing: Field | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.existing = existing
        section, condition = self.fields["section"], self.fields["condition_key"]
        assert isinstance(section, forms.ChoiceField) and isinstance(condition, forms.ChoiceField)
        section.choices = [(s.key, s.title) for s in sections]
        others = [f for f in fields if existing is None or f.key != existing.key]
        condition.choices = [("", "always shown")] + [(f.key, f.label) for f in others]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["choices"] = parse_choice_lines(
                data.get("choices_text", ""), list(self.existing.choices) if self.existing else []
            )
        except ChoiceLinesError as error:
            self.add_error("choices_text", str(error))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = ["label", "type", "help_text", "required", "unit", "choices", "allow_other"]
        return {
            **{k: data[k] for k in keys},
            "condition_key": data.get("condition_key", ""),
            "condition_value": data.get("condition_value", ""),
        }


class ConfirmForm(forms.Form):
    # Only the page's own "1" confirms: a stray value must not delete a field that holds data.
    confirm = forms.ChoiceField(choices=[("1", "confirm")], required=False)

    def confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data["confirm"] == "1"


# ---- the lead's assignment and the study pages: ids are looked up among what this review offers ---------------


class ExtractorsForm(forms.Form):
    """Members chosen to chart; only those who may chart are offered, so an id from elsewhere is refused."""

    extractors = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args: Any, eligible: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for user in eligible}
        field = self.fields["extractors"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(pk, user.get_username()) for pk, user in self.people.items()]

    def chosen(self) -> list[User]:
        return [self.people[pk] for pk in self.cleaned_data["extractors"]]


class ReassignForm(forms.Form):
    extractor = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args: Any, eligible: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for user in eligible}
        field = self.fields["extractor"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(pk, user.get_username()) for pk, user in self.people.items()]
        field.error_messages["invalid_choice"] = "Choose a reviewer of this review"
        field.error_messages["required"] = "Choose a reviewer of this review"

    def chosen(self) -> User:
        return self.people[self.cleaned_data["extractor"]]


class PilotForm(ExtractorsForm):
    records = forms.ModelMultipleChoiceField(queryset=Record.objects.none(), required=False)

    def __init__(self, *args: Any, review: Review, eligible: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, eligible=eligible, **kwargs)
        self.fields["records"].queryset = Record.objects.filter(review=review)  # type: ignore[attr-defined]


class ConsensusForm(forms.Form):
    """One field's final value: taken from one of the study's extractions, or entered (read from the field's own
    widget by the view, since its inputs depend on the field's type)."""

    field = forms.ChoiceField()
    instance = forms.IntegerField(min_value=0, max_value=MAX_INSTANCES, required=False)
    # Looked up by the view through charting.access.consensus_source: another study's extraction is a 404.
    extraction = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, fields: Iterable[Field], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = {spec.key: spec for spec in fields}
        choice = self.fields["field"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(key, spec.label) for key, spec in self.specs.items()]

    def clean_instance(self) -> int:
        return self.cleaned_data.get("instance") or 0


class InstanceRemoveForm(forms.Form):
    """ "group:n", as the remove button of a repeating group's instance sends it."""

    remove = forms.RegexField(regex=r"^[-\w]+:[0-9]{1,4}$", error_messages={"invalid": "Say which instance to remove"})

    def group_and_instance(self) -> tuple[str, int]:
        group, _sep, number = self.cleaned_data["remove"].partition(":")
        return group, int(number)


class ReportLinkForm(forms.Form):
    """Link a report to its study, unlink it, or dismiss a suggested pair; both records of this review."""

    action = forms.ChoiceField(choices=[("link", "link"), ("unlink", "unlink"), ("dismiss", "dismiss")])
    report = forms.IntegerField(min_value=1, error_messages={"invalid": "Give the report's record number"})
    study = forms.IntegerField(
        min_value=1, required=False, error_messages={"invalid": "Give the study's record number"}
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review = review

    def _record(self, name: str) -> Record | None:
        number = self.cleaned_data.get(name)
        if number is None:
            return None
        record = Record.objects.filter(pk=number, review=self.review).first()
        if record is None:
            raise forms.ValidationError(f"No record {number} in this review")
        return record

    def clean_report(self) -> Record | None:
        return self._record("report")

    def clean_study(self) -> Record | None:
        return self._record("study")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") in ("link", "dismiss") and data.get("study") is None and "study" not in self.errors:
            self.add_error("study", "Give the study's record number")
        return data


class SectionEditForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    delete = forms.BooleanField(required=False)
    repeating = forms.BooleanField(required=False)
    repeating_shown = forms.BooleanField(required=False)  # the checkbox sends nothing when unticked
    instance_label = forms.CharField(max_length=60, required=False)


class FieldMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
