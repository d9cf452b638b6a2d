"""In a real browser: the PRISMA page shows the diagram, follows a vote as it happens, drills down from a number
and downloads the diagram as PNG."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

from screening.models import Stage
from screening.services.votes import VoteInput, vote_cast

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def test_prisma_page_live_drill_down_and_png(
    browser, live_server, prisma_review, lead, reviewer, reviewer2, monkeypatch
):
    from reporting.views import prisma as views

    monkeypatch.setattr(views, "POLL_SECONDS", 1)
    client = Client()
    client.force_login(lead)
    context = browser.new_context(accept_downloads=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/reviews/tl-clinical/report/")
    diagram = page.locator("#prisma-svg")
    assert "Records excluded (n = 3)" in (diagram.text_content() or "")

    # Votes cast elsewhere show up without reloading: both reviewers exclude R2.
    for user in (reviewer, reviewer2):
        vote_cast(review=prisma_review.review, record=prisma_review.records["R2"], stage=Stage.TITLE_ABSTRACT,
                  reviewer=user, data=VoteInput(choice="exclude"))  # fmt: skip
    # (A locator, not a JS predicate: the page's CSP rightly forbids evaluating strings.)
    page.locator("#prisma-svg text", has_text="Records excluded (n = 4)").wait_for(timeout=15_000)

    with page.expect_download() as download_info:
        page.click("#prisma-png")
    download = download_info.value
    assert download.suggested_filename == "tl-clinical-prisma.png"
    assert Path(download.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.click("text=Duplicate records (n = 2)")
    page.wait_for_url("**/prisma/duplicates/")
    assert page.locator("#node-count").inner_text() == "2 records"
    assert not [e for e in errors if "Content Security Policy" in e]
