"""Browser end-to-end tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Each person gets their own browser context and logs in through the login form, as a reviewer would. Tasks run
in-process (CELERY_TASK_ALWAYS_EAGER), so a job normally ends inside the request that starts it; `held_tasks`
keeps chosen tasks back so a page can be seen while its job waits for a worker, then runs them as the worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

# The live server and the ORM calls in the test body share one process; Playwright's sync API runs an event loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "e2e"
# The machine that runs the suite may be busy; a wait that fails should fail on a real fault, not on load.
TIMEOUT_MS = 20_000


def browser_tests() -> list[pytest.MarkDecorator]:
    """The marks of every test module here: a browser test, skipped where Debian's Chromium is not installed."""
    return [
        pytest.mark.browser,
        pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's Chromium at {CHROMIUM}"),
    ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: Playwright's sync API keeps an event loop running while it is open, and the
    # browser tests of other apps start their own afterwards.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@dataclass
class Person:
    """One person at their own browser: a page, and what the page reported as going wrong."""

    user: Any
    page: Any
    errors: list[str] = field(default_factory=list)

    def console_errors(self) -> list[str]:
        # A 4xx answer that a page shows on purpose (a refused vote) is logged by Chromium as a failed resource.
        return [e for e in self.errors if "Failed to load resource" not in e]


@pytest.fixture
def log_in(browser, live_server) -> Iterator[Callable[[Any], Person]]:
    """Open a browser context for a user and log in through the login form."""
    contexts = []

    def open_as(user: Any) -> Person:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        person = Person(user=user, page=page)
        page.on("pageerror", lambda error: person.errors.append(f"pageerror: {error}"))
        page.on("console", lambda msg: person.errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", PASSWORD)
        page.click("main button:has-text('Log in')")
        page.wait_for_url(f"{live_server.url}/")
        return person

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def people(transactional_db) -> dict[str, Any]:
    """Accounts that exist before the review does: the lead and two reviewers."""
    return {name: UserFactory(username=name) for name in ("lena", "ann", "bob")}


@pytest.fixture
def ranker_requests(monkeypatch) -> list[tuple[Any, ...]]:
    """Retraining requests of the relevance ranker, recorded instead of run.

    In production a worker retrains after the vote has been answered; run eagerly, the training would sit inside
    each vote's request and make the browser wait seconds per key press. The ranker has its own tests.
    """
    from screening.tasks import relevance_retrain_task

    asked: list[tuple[Any, ...]] = []
    monkeypatch.setattr(relevance_retrain_task, "delay", lambda *args: asked.append(args))
    return asked


class HeldTasks:
    """Tasks kept back instead of running in the request: the page then shows its job waiting or in progress."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self._sent: dict[str, Any] = {}
        self.waiting: list[tuple[Any, tuple[Any, ...]]] = []

    def hold(self, task: Any) -> None:
        self._sent.setdefault(task.name, task.delay)
        self._monkeypatch.setattr(task, "delay", lambda *args: self.waiting.append((task, args)))

    def release(self, task: Any) -> None:
        """Tasks of this kind run in their request again (in-process, as the test settings ask)."""
        self._monkeypatch.setattr(task, "delay", self._sent.pop(task.name))

    def run_all(self) -> int:
        """Run every held task in this thread, as a worker would; returns how many ran."""
        ran = 0
        while self.waiting:
            task, args = self.waiting.pop(0)
            task.run(*args)
            ran += 1
        return ran


@pytest.fixture
def held_tasks(monkeypatch) -> HeldTasks:
    return HeldTasks(monkeypatch)


# ---- imports: the three export files and the steps a lead takes for each --------------------------------

SEARCHED = "2026-11-20"


@dataclass(frozen=True)
class Export:
    file: str
    database: str  # as the lead names the search
    platform: str
    format: str  # as the preview names it
    detected: str  # the database the preview reads from the file
    titles: tuple[str, ...]
    problems: tuple[str, ...] = ()


EXPORTS = (
    Export(
        "pubmed.nbib",
        "PubMed",
        "",
        "nbib",
        "PubMed",
        (
            "Transfer learning for arrhythmia detection from single-lead electrocardiograms.",
            "Language models trained from scratch to triage emergency department notes.",
            "A rule-based scheduler for operating theatre lists.",
        ),
    ),
    Export(
        "embase.ris",
        "Embase",
        "embase.com",
        "ris",
        "Embase",
        (
            "Transfer learning for arrhythmia detection from single-lead electrocardiograms",
            "Domain adaptation of convolutional networks for intensive care mortality prediction from vital-sign "
            "time series",
            "Transfer learning from speech models for cough sound classification",
        ),
    ),
    Export(
        "cinahl.ris",
        "CINAHL",
        "EBSCOhost",
        "ris",
        "CINAHL",
        (
            "Domain adaptation of convolutional networks for intensive care mortality prediction from vital-sign "
            "time series",
            "Night-shift handover checklists and medication errors on surgical wards",
        ),
        ("Unknown RIS tag 'XT'",),
    ),
)


def add_search(page, base: str, export: Export) -> None:
    page.goto(f"{base}/searches/")
    page.fill("#id_database", export.database)
    page.fill("#id_platform", export.platform)
    page.fill("#id_date_searched", SEARCHED)
    page.fill("#id_query", '("transfer learning" OR "domain adaptation") AND clinical')
    page.get_by_role("button", name="Add", exact=True).click()
    via = f" via {export.platform}" if export.platform else ""
    expect(page.locator("main h1")).to_have_text(f"{export.database}{via} ({SEARCHED})")


def upload(page, export: Export) -> None:
    page.set_input_files("#id_export_files", str(FIXTURES / export.file))
    page.click("text=Upload and preview")
    expect(page.locator("main h1")).to_have_text(export.file)


def check_preview(page, export: Export) -> None:
    preview = page.locator("#import-status")
    expect(page.locator("#record-count")).to_have_text(str(len(export.titles)))
    facts = preview.locator("dl.facts")
    expect(facts).to_contain_text(f"{export.format} (utf-8)")
    expect(facts).to_contain_text(export.detected)
    rows = preview.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(len(export.titles))
    for n, title in enumerate(export.titles):
        expect(rows.nth(n)).to_contain_text(title)
    expect(preview.locator("h3", has_text="Problems")).to_have_text(f"Problems ({len(export.problems)})")
    if export.problems:
        for problem in export.problems:
            expect(preview.locator("table.problems")).to_contain_text(problem)
    else:
        expect(preview).to_contain_text("None found.")
