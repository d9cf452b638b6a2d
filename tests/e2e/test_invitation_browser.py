"""In a real browser: the lead invites an existing account, copies the invitation link from the Members page, and
the invited person opens it, logged in as themselves, and accepts (issue #17 item 8)."""

from __future__ import annotations

from playwright.sync_api import expect

from review.models import Membership, Role
from review.services.reviews import review_create
from tests.e2e.conftest import browser_tests

pytestmark = browser_tests()


def test_lead_copies_the_link_and_the_invited_person_accepts(log_in, people, live_server, settings):
    settings.SITE_URL = live_server.url  # as `make run` sets it from PORT
    lena, ann_user = people["lena"], people["ann"]
    review = review_create(by=lena, title="Transfer learning on clinical data")
    lead = log_in(lena)
    page = lead.page
    page.goto(f"{live_server.url}/reviews/{review.slug}/members/")
    page.fill("#id_identifier", "ann")
    page.select_option("#id_role", "reviewer")
    page.click("main button:has-text('Invite')")
    expect(page.locator(".msg-success")).to_contain_text("ann is invited")
    assert not Membership.objects.filter(review=review, user=ann_user).exists()

    field = page.locator("input.invitation-link")
    link = field.input_value()
    assert link.startswith(f"{live_server.url}/accounts/invitation/")
    copy = page.locator("button[data-copy]")
    copy.click()
    expect(copy).to_have_text("Copied")

    ann = log_in(ann_user)
    ann.page.goto(link)
    expect(ann.page.locator("h1")).to_contain_text("Transfer learning on clinical data")
    ann.page.click("main button:has-text('Accept')")
    expect(ann.page.locator(".msg-success")).to_contain_text("Welcome to")
    assert Membership.objects.get(review=review, user=ann_user).role == Role.REVIEWER

    page.reload()
    expect(page.locator("input.invitation-link")).to_have_count(0)
    expect(page.locator("#member-list tbody tr")).to_have_count(2)
    assert lead.console_errors() == [] and ann.console_errors() == []
