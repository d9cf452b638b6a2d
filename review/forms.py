from __future__ import annotations

from typing import Any

from django import forms

from review.importers import ENCODING_CHOICES, FORMATS
from review.models import Review, Role, Search


def first_error(form: forms.Form) -> str:
    """The first message of an invalid form, as one line for a page's message (every app's pages use it)."""
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{name.replace('_', ' ')}: "
        return f"{label}{errors[0]}"
    return "The form is not valid"


class ReviewForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "dedup_versions" in self.fields:
            self.fields["dedup_versions"].required = False

    class Meta:
        model = Review
        fields = [
            "title",
            "description",
            "inclusion_criteria",
            "exclusion_criteria",
            "dedup_automatic",
            "dedup_versions",
        ]
        labels = {
            "description": "Objective",
            "dedup_versions": "Deduplication: a preprint and its journal version",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "inclusion_criteria": forms.Textarea(attrs={"rows": 5}),
            "exclusion_criteria": forms.Textarea(attrs={"rows": 5}),
        }

    def clean_dedup_versions(self) -> str:
        # A client that does not send the setting (an older page, a script) leaves it as it was.
        value: str = self.cleaned_data.get("dedup_versions") or self.instance.dedup_versions
        return value


class ReviewCreateForm(ReviewForm):
    class Meta(ReviewForm.Meta):
        fields = ["title", "description", "inclusion_criteria", "exclusion_criteria"]


class InviteForm(forms.Form):
    identifier = forms.CharField(label="Username or e-mail", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REVIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InvitationAcceptForm(forms.Form):
    username = forms.CharField(max_length=150)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ")
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, initial="script")
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Leave empty for a token that works until you revoke it",
    )


class SearchForm(forms.ModelForm):
    class Meta:
        model = Search
        fields = ["kind", "database", "is_register", "other_method", "platform", "date_searched", "query", "notes"]
        labels = {"database": "Database", "is_register": "This is a trials register", "date_searched": "Date searched"}
        widgets = {
            "date_searched": forms.DateInput(attrs={"type": "date"}),
            "query": forms.Textarea(attrs={"rows": 4, "placeholder": "The search string as run"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "database": forms.TextInput(attrs={"list": "known-databases"}),
            "platform": forms.TextInput(attrs={"list": "known-platforms"}),
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


ENCODING_FORM_CHOICES = [("auto", "Detect from the content"), *ENCODING_CHOICES.items()]


class UploadForm(forms.Form):
    export_files = MultipleFileField(label="Export files")
    format = forms.ChoiceField(
        choices=[("auto", "Detect from the content"), *[(f, f) for f in FORMATS]], initial="auto", required=False
    )
    encoding = forms.ChoiceField(choices=ENCODING_FORM_CHOICES, initial="auto", required=False)


class EncodingForm(forms.Form):
    """The encoding a lead chooses for a file whose preview is in doubt (or could not read it)."""

    encoding = forms.CharField(max_length=40)


class RecordAddForm(forms.Form):
    title = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    authors = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line")
    year = forms.IntegerField(required=False, min_value=1000, max_value=2100)
    journal = forms.CharField(required=False)
    volume = forms.CharField(required=False, max_length=60)
    issue = forms.CharField(required=False, max_length=60)
    pages = forms.CharField(required=False, max_length=60)
    doi = forms.CharField(required=False, label="DOI")
    pmid = forms.CharField(required=False, label="PMID")
    url = forms.URLField(required=False, label="URL", assume_scheme="https")
    abstract = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))


class DuplicateVerdictForm(forms.Form):
    """A lead's answer on a possible duplicate pair."""

    verdict = forms.ChoiceField(choices=[("same", "Same work"), ("different", "Different works")])


class GroupSplitForm(forms.Form):
    """Splitting a duplicate group; `confirm=yes` comes back after the page warned that the records carry votes."""

    confirm = forms.ChoiceField(choices=[("yes", "Split anyway")], required=False)


class TagAddForm(forms.Form):
    # Not required and not stripped here: the service gives the precise message for an empty or too long name
    # (review/services/labels.py); the bound only stops a pasted page from reaching it.
    name = forms.CharField(required=False, strip=False, max_length=1000)


class NoteAddForm(forms.Form):
    text = forms.CharField(required=False, strip=False, max_length=100_000)


class RecordEditForm(forms.Form):
    """A correction of a record's metadata. Only the fields the page sends are changed, so a form that shows some
    of them (or a script) leaves the others as they are; their values are checked by the service
    (review/services/record_edits.py), which says which field is wrong."""

    title = forms.CharField(required=False, strip=False)
    abstract = forms.CharField(required=False, strip=False)
    authors = forms.CharField(required=False, strip=False)
    year = forms.CharField(required=False, max_length=20)
    journal = forms.CharField(required=False, strip=False)
    doi = forms.CharField(required=False, max_length=1000)
    pmid = forms.CharField(required=False, max_length=1000)
    keywords = forms.CharField(required=False, strip=False)
    reason = forms.CharField(required=False, max_length=300)

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason" and name in self.data}
