from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from review.models import Membership, Review, Role
from screening.models import ScreeningSettings

PASSWORD = "correct-horse-battery-staple"
# Votes required and blinding are screening settings; a test may still give them with the review.
SCREENING_RULES = ("votes_required_title_abstract", "votes_required_full_text", "blinded")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    title = factory.Sequence(lambda n: f"Review {n}")
    slug = factory.Sequence(lambda n: f"review-{n}")
    description = "Objective of the review"
    inclusion_criteria = "transfer learning\nclinical data"
    exclusion_criteria = "imaging only"
    created_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        rules = {name: kwargs.pop(name) for name in SCREENING_RULES if name in kwargs}
        review = super()._create(model_class, *args, **kwargs)
        if rules:
            ScreeningSettings.objects.create(review=review, **rules)
        return review


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.REVIEWER


def set_screening_rules(review: Review, **rules: object) -> ScreeningSettings:
    """Store votes required or blinding for a review (screening settings), as a test's starting point."""
    config, _ = ScreeningSettings.objects.update_or_create(review=review, defaults=rules)
    review.screening = config
    return config
