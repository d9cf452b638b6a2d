"""The demo review `make run` creates has something on every page: records at every stage (issue #17)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from review.models import Membership, Record, RecordNote, Review, Role
from screening.models import FullText, Stage, StageOutcome, Status, Vote


@pytest.mark.django_db
def test_demo_setup_fills_every_stage(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("demo_setup")
    review = Review.objects.get(slug="demo-review")
    assert Membership.objects.get(review=review, user__username="arbiter").role == Role.ARBITER
    assert Record.objects.filter(review=review).count() == 60
    assert Record.objects.filter(review=review, merged_into__isnull=False).count() == 8
    ta = StageOutcome.objects.filter(review=review, stage=Stage.TITLE_ABSTRACT)
    assert ta.filter(status=Status.CONFLICT).count() == 1
    assert ta.filter(status=Status.INCLUDED).exists() and ta.filter(status=Status.EXCLUDED).exists()
    assert ta.filter(status=Status.AWAITING, vote_count=1).count() >= 4  # waiting for a second reviewer
    ft = StageOutcome.objects.filter(review=review, stage=Stage.FULL_TEXT)
    assert ft.filter(status=Status.INCLUDED).count() == 2 and ft.filter(status=Status.NOT_RETRIEVED).count() == 1
    assert FullText.objects.filter(review=review).count() >= 5
    assert Vote.objects.filter(review=review).exists() and RecordNote.objects.filter(record__review=review).exists()
    from charting.models import ConsensusValue, Extraction

    assert Extraction.objects.filter(form__review=review, status="submitted").count() == 2
    assert ConsensusValue.objects.filter(record__review=review).exists()  # a charted study
    call_command("demo_setup")  # a second run changes nothing
    assert Record.objects.filter(review=review).count() == 60
    client = Client()
    client.force_login(Membership.objects.get(review=review, user__username="reviewer1").user)
    home = client.get(reverse("review:home", args=[review.slug])).content.decode()
    assert "What next" in home and 'class="next"' in home
    page = client.get(reverse("screening:screen", args=[review.slug, Stage.TITLE_ABSTRACT.value])).content.decode()
    assert "data-record=" in page
