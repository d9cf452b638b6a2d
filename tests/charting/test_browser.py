"""In a real browser: the lead builds a small form, two reviewers chart one study, the lead sets consensus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

from charting.models import ConsensusValue, Extraction, ExtractionValue, Field
from review.models import Role
from tests.charting.conftest import include_at_full_text
from tests.charting.factories import RecordFactory, SearchFactory
from tests.factories import MembershipFactory, ReviewFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def _page_as(browser, live_server, user):
    """A browser tab logged in as `user` (the session is made server-side, as a login would)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_build_form_chart_one_study_twice_and_reach_consensus(browser, live_server, transactional_db):
    lead, ann, bob = UserFactory(username="lead"), UserFactory(username="ann"), UserFactory(username="bob")
    review = ReviewFactory(slug="tl-clinical", created_by=lead)
    MembershipFactory(review=review, user=lead, role=Role.LEAD)
    MembershipFactory(review=review, user=ann, role=Role.REVIEWER)
    MembershipFactory(review=review, user=bob, role=Role.REVIEWER)
    study = RecordFactory(review=review, search=SearchFactory(review=review), title="ECG transfer <b>study</b>")
    include_at_full_text(review, study, [ann, bob])
    base = f"{live_server.url}/reviews/tl-clinical/charting"

    # The lead starts an empty form and adds two fields.
    page = _page_as(browser, live_server, lead)
    page.goto(f"{base}/form/")
    page.select_option("select[name=start]", "blank")
    page.click("text=Create the form")
    page.fill("#add-field input[name=label]", "Architecture")
    page.select_option("#add-field select[name=type]", "multiple")
    page.fill("#add-field textarea[name=choices_text]", "CNN\nRNN")
    page.click("text=Add field")
    page.fill("#add-field input[name=label]", "Patients")
    page.select_option("#add-field select[name=type]", "integer")
    page.check("#add-field input[name=required]")
    page.click("text=Add field")
    assert page.locator("#field-architecture").is_visible() and page.locator("#field-patients").is_visible()
    assert list(Field.objects.values_list("key", flat=True)) == ["architecture", "patients"]

    # ... and assigns the study to both reviewers.
    page.goto(f"{base}/")
    page.click("text=Assign all waiting studies")
    assert page.locator("#study-progress").inner_text().count("In progress") == 2

    for user, option in ((ann, "CNN"), (bob, "RNN")):
        tab = _page_as(browser, live_server, user)
        tab.goto(f"{base}/")
        tab.click("#my-extractions >> text=Chart")
        assert tab.locator(".study-title").inner_text() == "ECG transfer <b>study</b>"  # escaped, shown as text
        tab.check(f"#xf-architecture >> text={option}")
        tab.fill("input[name=f-patients]", "12x")
        tab.wait_for_selector("#err-patients:has-text('whole number')")  # the draft save reports the bad value
        tab.fill("input[name=f-patients]", "120")
        tab.wait_for_selector("#save-status:has-text('Draft saved')")
        tab.wait_for_selector("#err-patients:empty", state="attached")
        tab.click("#submit-extraction")
        tab.wait_for_selector("text=submitted")
        tab.context.close()
    assert list(Extraction.objects.values_list("status", flat=True)) == ["submitted", "submitted"]
    assert ExtractionValue.objects.filter(field_key="patients", value=120).count() == 2

    # The lead compares: patients agreed (already final), architecture differs until the lead picks Ann's.
    page.goto(f"{base}/studies/{study.pk}/")
    assert "differs" in page.locator("#row-architecture").inner_text()
    page.click('#row-architecture >> button[aria-label="Use ann\'s answer for Architecture"]')
    page.wait_for_selector("text=data is final")
    final = {c.field_key: c.value for c in ConsensusValue.objects.order_by("id")}
    assert final == {"patients": 120, "architecture": {"choices": ["cnn"]}}
    assert ConsensusValue.objects.get(field_key="architecture").decided_by == lead


def test_fill_a_repeating_group_with_a_source_and_not_reported(browser, live_server, transactional_db):
    from charting import services

    lead, ann = UserFactory(username="lead"), UserFactory(username="ann")
    review = ReviewFactory(slug="tl-clinical", created_by=lead)
    MembershipFactory(review=review, user=lead, role=Role.LEAD)
    MembershipFactory(review=review, user=ann, role=Role.REVIEWER)
    study = RecordFactory(review=review, search=SearchFactory(review=review))
    include_at_full_text(review, study, [ann, lead])
    form = services.form_create(review=review, by=lead)
    section = services.section_add(form=form, by=lead, title="Models", repeating=True, instance_label="Model")
    services.field_add(form=form, by=lead, section_key=section.key, label="Model name", type="short_text")
    services.field_add(form=form, by=lead, section_key=section.key, label="AUC", type="decimal")
    (extraction,) = services.extraction_assign(review=review, record=study, extractors=[ann], by=lead)

    tab = _page_as(browser, live_server, ann)
    tab.goto(f"{live_server.url}/reviews/tl-clinical/charting/extractions/{extraction.pk}/")
    tab.fill("input[name='f-model_name-1']", "ResNet-50")
    tab.click("#xf-auc-1 summary")  # the source of the first model's AUC
    tab.fill("input[name='f-auc-1']", "0.91")
    tab.fill("textarea[name='f-auc-1__quote']", "an AUC of 0.91")
    tab.fill("input[name='f-auc-1__page']", "5")
    tab.click("text=Add model")
    tab.fill("input[name='f-model_name-2']", "LSTM")
    tab.check("#xf-auc-2 input[name='f-auc-2__nr']")
    tab.wait_for_selector("#save-status:has-text('Draft saved')")
    tab.click("#submit-extraction")
    tab.wait_for_selector("text=submitted")
    current = {
        (v.field_key, v.instance): (v.value, v.quote, v.page)
        for v in ExtractionValue.objects.filter(extraction=extraction).order_by("id")
    }
    assert current == {
        ("model_name", 1): ("ResNet-50", "", ""),
        ("auc", 1): ("0.91", "an AUC of 0.91", "5"),
        ("model_name", 2): ("LSTM", "", ""),
        ("auc", 2): ({"not_reported": True}, "", ""),
    }
    assert Extraction.objects.get(pk=extraction.pk).status == "submitted"
