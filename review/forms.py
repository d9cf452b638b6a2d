from __future__ import annotations

from django import forms

from review.models import Review, Role


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = [
            "title",
            "description",
            "inclusion_criteria",
            "exclusion_criteria",
            "votes_required_title_abstract",
            "votes_required_full_text",
            "blinded",
        ]
        labels = {
            "description": "Objective",
            "votes_required_title_abstract": "Votes required per record at title/abstract",
            "votes_required_full_text": "Votes required per record at full text",
            "blinded": "Blind reviewers to each other's votes until a record is decided",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "inclusion_criteria": forms.Textarea(attrs={"rows": 5}),
            "exclusion_criteria": forms.Textarea(attrs={"rows": 5}),
            "votes_required_title_abstract": forms.NumberInput(attrs={"min": 1, "max": 10}),
            "votes_required_full_text": forms.NumberInput(attrs={"min": 1, "max": 10}),
        }


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
