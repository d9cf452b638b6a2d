"""In a real browser: two reviewers screen with the keyboard, a conflict appears, the lead resolves it; a full-text
exclusion with an uploaded PDF and a reason chosen by number key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

from review.models import Role
from screening.models import FullText, Resolution, Stage, StageOutcome, Status, Vote
from screening.services.votes import VoteInput, vote_cast
from tests.factories import MembershipFactory, ReviewFactory, UserFactory
from tests.screening.factories import ExclusionReasonFactory, RecordFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT

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
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)  # generous: the suite also runs on busy CI machines
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    return page


@pytest.fixture
def team(transactional_db):
    lead, ann, bob = UserFactory(username="lead"), UserFactory(username="ann"), UserFactory(username="bob")
    review = ReviewFactory(slug="tl-clinical", created_by=lead)
    MembershipFactory(review=review, user=lead, role=Role.LEAD)
    MembershipFactory(review=review, user=ann, role=Role.REVIEWER)
    MembershipFactory(review=review, user=bob, role=Role.REVIEWER)
    return review, lead, ann, bob


def _press_and_wait(page, key, next_selector):
    page.keyboard.press(key)
    page.wait_for_selector(next_selector)
    # Until htmx has settled the swap, the page keeps a key for the new content rather than acting on it at once.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def test_two_reviewers_screen_by_keyboard_and_the_lead_resolves_the_conflict(browser, live_server, team):
    review, lead, ann, bob = team
    records = [RecordFactory(review=review, title=f"Study {n}: <i>transfer</i> learning") for n in range(3)]
    url = f"{live_server.url}/reviews/{review.slug}/screening/{TA.value}/"

    page = _page_as(browser, live_server, ann)
    page.goto(url)
    assert "<i>transfer</i>" in page.locator(".record-title").inner_text()  # shown as text, never as markup
    _press_and_wait(page, "i", f'#screen-panel[data-record="{records[1].pk}"]')
    _press_and_wait(page, "i", f'#screen-panel[data-record="{records[2].pk}"]')
    _press_and_wait(page, "e", "text=Nothing left for you")
    _press_and_wait(page, "u", f'#screen-panel[data-record="{records[2].pk}"]')  # undo brings it back
    assert not Vote.objects.filter(reviewer=ann, record=records[2]).exists()
    _press_and_wait(page, "e", "text=Nothing left for you")
    page.keyboard.press("?")
    # The key's handler opens the dialog a moment later on a loaded machine: wait for it rather than look at once.
    page.locator("#screen-help").wait_for(state="visible", timeout=10_000)
    assert page.locator("#screen-help").is_visible()
    assert page.js_errors == []

    page = _page_as(browser, live_server, bob)
    page.goto(url)
    page.locator("#screen-panel").wait_for()
    page.keyboard.press("n")
    page.keyboard.type("only imaging, I think")
    page.keyboard.press("Escape")  # leave the note; single keys work again
    _press_and_wait(page, "i", f'#screen-panel[data-record="{records[1].pk}"]')
    page.keyboard.press("n")
    page.keyboard.type("imaging only")
    page.keyboard.press("Escape")
    _press_and_wait(page, "e", f'#screen-panel[data-record="{records[2].pk}"]')
    _press_and_wait(page, "e", "text=Nothing left for you")
    assert page.js_errors == []

    statuses = dict(StageOutcome.objects.filter(stage=TA).values_list("record_id", "status"))
    assert statuses == {records[0].pk: "included", records[1].pk: "conflict", records[2].pk: "excluded"}
    assert Vote.objects.get(reviewer=bob, record=records[1]).note == "imaging only"

    page = _page_as(browser, live_server, lead)
    page.goto(f"{live_server.url}/reviews/{review.slug}/screening/{TA.value}/conflicts/")
    page.click(f"a[href$='/conflicts/{records[1].pk}/']")
    assert "imaging only" in page.locator("#conflict-body").inner_text()  # unblinded for the lead
    page.check("input[name=decision][value=include]")
    page.fill("#rationale", "ECG data, not imaging")
    page.click("text=Record the decision")
    page.wait_for_selector("text=Decided by lead")
    assert Resolution.objects.get(record=records[1]).rationale == "ECG data, not imaging"
    assert StageOutcome.objects.get(record=records[1], stage=TA).status == Status.INCLUDED
    assert StageOutcome.objects.filter(stage=FT).count() == 2
    assert page.js_errors == []


def test_full_text_exclusion_with_pdf_and_reason_key(browser, live_server, team, tmp_path):
    review, _lead, ann, bob = team
    record = RecordFactory(review=review, title="Transfer learning for ECG")
    for user in (ann, bob):
        vote_cast(review=review, record=record, stage=TA, reviewer=user, data=VoteInput("include"))
    ExclusionReasonFactory(review=review, label="Non-clinical research", position=1)
    wrong_tl = ExclusionReasonFactory(review=review, label="Did not use transfer learning", position=2)
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

    page = _page_as(browser, live_server, ann)
    page.goto(f"{live_server.url}/reviews/{review.slug}/screening/{FT.value}/")
    page.set_input_files("input[name=file]", str(pdf))
    page.click("text=Upload PDF")
    page.wait_for_selector(".screen-pdf iframe")
    assert FullText.objects.filter(record=record).count() == 1
    # Chromium's PDF viewer takes the keyboard focus when it has loaded, which on a busy machine can be between
    # two key presses; a reviewer clicks back on the page, and so does this test, before each key.
    back_to_page = "document.activeElement && document.activeElement.blur()"
    page.evaluate(back_to_page)
    page.keyboard.press("e")
    page.wait_for_selector("#reasons:not([hidden])")
    page.evaluate(back_to_page)
    page.keyboard.press("2")
    page.wait_for_selector("text=Nothing left for you")
    vote = Vote.objects.get(reviewer=ann, stage=FT)
    assert (vote.choice, vote.reason) == ("exclude", wrong_tl)
    assert page.js_errors == []
