"""Persona fixtures: one review with a lead, two reviewers and a viewer, and an outsider who belongs elsewhere."""

from __future__ import annotations

import pytest
from django.test import Client

from review.models import Role
from tests.factories import MembershipFactory, ReviewFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def lead(db):
    return UserFactory(username="lead")


@pytest.fixture
def review(lead):
    review = ReviewFactory(title="Transfer learning in clinical data", slug="tl-clinical", created_by=lead)
    MembershipFactory(review=review, user=lead, role=Role.LEAD)
    return review


@pytest.fixture
def reviewer(review):
    user = UserFactory(username="reviewer")
    MembershipFactory(review=review, user=user, role=Role.REVIEWER)
    return user


@pytest.fixture
def reviewer2(review):
    user = UserFactory(username="reviewer2")
    MembershipFactory(review=review, user=user, role=Role.REVIEWER)
    return user


@pytest.fixture
def arbiter(review):
    """A reviewer who may also decide conflicts, without the lead's administration."""
    user = UserFactory(username="arbiter")
    MembershipFactory(review=review, user=user, role=Role.ARBITER)
    return user


@pytest.fixture
def viewer(review):
    user = UserFactory(username="viewer")
    MembershipFactory(review=review, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def outsider(db):
    """Belongs to a review of their own, so they are a real user with real data, just not ours."""
    user = UserFactory(username="outsider")
    other = ReviewFactory(title="Someone else's review", slug="other-review", created_by=user)
    MembershipFactory(review=other, user=user, role=Role.LEAD)
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_lead(lead):
    return client_for(lead)


@pytest.fixture
def as_reviewer(reviewer):
    return client_for(reviewer)


@pytest.fixture
def as_reviewer2(reviewer2):
    return client_for(reviewer2)


@pytest.fixture
def as_arbiter(arbiter):
    return client_for(arbiter)


@pytest.fixture
def as_viewer(viewer):
    return client_for(viewer)


@pytest.fixture
def as_outsider(outsider):
    return client_for(outsider)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_clients(db):
    """api_clients(user): a separate API client per person, so two people can act in one test."""
    from rest_framework.test import APIClient

    def login(user):
        client = APIClient()
        client.force_login(user)
        return client

    return login
