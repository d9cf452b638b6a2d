from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from review.models import Membership, Review, Role

PASSWORD = "correct-horse-battery-staple"


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


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.REVIEWER
