"""HTML forms of the form builder and the lead's charting set-up. Rules live in the services; these parse input."""

from __future__ import annotations

from typing import Any

from django import forms

from charting.fieldtypes import FieldType
from charting.form_templates import template_choices
from charting.keys import ChoiceLinesError, parse_choice_lines
from charting.models import Field, Section


def _start_choices() -> list[tuple[str, str]]:
    return [("blank", "An empty form")] + [(f"template:{k}", f"Template: {t}") for k, t in template_choices()]


class FormStartForm(forms.Form):
    start = forms.ChoiceField(label="Start from", choices=_start_choices, initial="template:transfer-learning")
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
    confirm = forms.BooleanField(required=False)
