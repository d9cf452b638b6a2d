"""A day's work in real browsers (issue #17): a lead, an arbiter and two reviewers.

The lead opens full-text screening only to mark a report not retrieved, and the other reviewer is not locked out
(told why while the record is open elsewhere, offered it once the lead leaves); two reviewers screen by keyboard,
each record with its own URL (Back steps back), tag and annotate records; the arbiter settles their conflict;
the lead finds records by status, tag and words, corrects a record's abstract, uploads 20 PDFs at once and
confirms the matches, reads the audit trail, and a refused change on the Members page keeps the page whole.

Screenshots go to bench/out/daily/ (not committed) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from review.models import AuditEvent, Membership, Record, RecordEdit, RecordNote, RecordTag, Review, Role, Search
from screening.models import BulkFullText, FullText, QueueClaim, Resolution, Stage, StageOutcome, Status
from screening.pdf_make import make_pdf
from screening.services.fulltexts import fulltext_upload
from screening.services.queue import outcomes_sync
from screening.services.votes import VoteInput, vote_cast
from tests.e2e.conftest import browser_tests
from tests.factories import MembershipFactory, UserFactory

pytestmark = browser_tests()

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
SHOTS = Path(__file__).resolve().parents[2] / "bench" / "out" / "daily"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _setup():
    lena, ann, bob, carol = (UserFactory(username=n) for n in ("lena", "ann", "bob", "carol"))
    review = Review.objects.create(
        title="Transfer learning on clinical data",
        slug="tl-daily",
        inclusion_criteria="transfer learning",
        created_by=lena,
    )
    for user, role in ((lena, Role.LEAD), (ann, Role.REVIEWER), (bob, Role.REVIEWER), (carol, Role.ARBITER)):
        MembershipFactory(review=review, user=user, role=role)
    search = Search.objects.create(review=review, database="PubMed", created_by=lena)
    records = [
        Record.objects.create(
            review=review,
            search=search,
            position=n,
            title=f"Transfer learning on intensive care time series for outcome number {n:02d}",
            abstract="We fine-tuned a pretrained network on vital signs." if n != 3 else "",
            authors=["Garcia A", "Okafor B"],
            year=2015 + n % 9,
            doi=f"10.5555/daily.{n:02d}",
            pmid=str(32000000 + n),
            keywords=["transfer learning", "sepsis" if n % 2 else "ECG"],
        )
        for n in range(1, 27)
    ]
    outcomes_sync(review=review)

    def cast(user, record, choice, stage=TA):
        vote_cast(review=review, record=record, stage=stage, reviewer=user, data=VoteInput(choice))

    # Records 5 and 6 reach full text (ann and bob included them); ann has voted at full text on both.
    for record in records[4:6]:
        cast(ann, record, "include")
        cast(bob, record, "include")
    cast(ann, records[4], "include", FT)
    cast(ann, records[5], "include", FT)
    pdf = make_pdf([records[5].title])
    fulltext_upload(review=review, record=records[5], by=lena, upload=SimpleUploadedFile("a.pdf", pdf))
    return review, records, (lena, ann, bob, carol), cast


def test_a_days_work(log_in, live_server, transactional_db, ranker_requests, tmp_path):
    review, records, (lena, ann, bob, carol), cast = _setup()
    base = f"{live_server.url}/reviews/{review.slug}"

    # ---- The full-text hold case. Bob screens record 6 first, so record 5 is the one the lead will look at. --
    b = log_in(bob).page
    b.goto(f"{base}/screening/full-text/")
    expect(b.locator("#screen-panel[data-record]")).to_have_count(1)
    bob_record = int(b.locator("#screen-panel").get_attribute("data-record"))
    lead = log_in(lena)
    page = lead.page
    page.goto(f"{base}/screening/full-text/")
    lead_record = int(page.locator("#screen-panel").get_attribute("data-record"))
    assert lead_record != bob_record
    assert QueueClaim.objects.filter(reviewer=lena, stage=FT, record_id=lead_record).exists()
    # Bob finishes his record; the only other one with a slot left is open on the lead's screen.
    b.keyboard.press("i")
    expect(b.locator("#queue-empty-why")).to_contain_text("1 record is open with other reviewers; try again")
    expect(b.locator("main")).not_to_contain_text("Nothing left")
    shot(b, "01-reviewer-told-why")
    # The lead marks it not retrieved: that is management, so they are handed nothing and hold nothing.
    page.locator("details.fulltext-tools summary").click()
    page.fill("input[name=note]", "Library and interlibrary loan tried")
    page.click("text=Mark not retrieved")
    expect(page.locator(".msg-success")).to_contain_text(f"Record {lead_record} marked not retrieved.")
    assert not QueueClaim.objects.filter(reviewer=lena).exists()
    assert StageOutcome.objects.get(record_id=lead_record, stage=FT).status == Status.NOT_RETRIEVED
    shot(page, "02-lead-marked-not-retrieved")

    # ---- Two reviewers screen titles and abstracts by keyboard; each record has its URL. ---------------------
    a = log_in(ann).page
    a.goto(f"{base}/screening/title-abstract/")
    first = int(a.locator("#screen-panel").get_attribute("data-record"))
    assert first == records[0].pk
    # Ann tags and annotates the record before voting; Bob, who has not voted on it, sees neither.
    a.fill("input[name=name]", "ECG")
    a.locator("input[name=name]").press("Enter")
    expect(a.locator(f"#record-labels-{first} .tag")).to_contain_text("ECG")
    a.fill(f"#record-note-{first}", "Check the supplement for the cohort size")
    a.click("text=Add note")
    expect(a.locator(f"#record-labels-{first}")).to_contain_text("Check the supplement")
    a.locator("body").click(position={"x": 5, "y": 5})
    shot(a, "03-ann-tagged-and-noted")
    for choice in ("i", "e", "i"):
        current = a.locator("#screen-panel").get_attribute("data-record")
        a.keyboard.press(choice)
        expect(a.locator(f"#screen-panel[data-record='{current}']")).to_have_count(0)
    expect(a).to_have_url(f"{base}/screening/title-abstract/records/{records[3].pk}/")
    a.go_back()
    expect(a.locator("#screen-panel")).to_have_attribute("data-record", str(records[2].pk))
    b.goto(f"{base}/screening/title-abstract/")
    expect(b.locator("#screen-panel")).to_have_attribute("data-record", str(first))
    expect(b.locator("main")).not_to_contain_text("Check the supplement")
    for choice in ("e", "e", "i"):  # record 1 disagrees with Ann's vote: a conflict
        current = b.locator("#screen-panel").get_attribute("data-record")
        b.keyboard.press(choice)
        expect(b.locator(f"#screen-panel[data-record='{current}']")).to_have_count(0)
    assert StageOutcome.objects.get(record=records[0], stage=TA).status == Status.CONFLICT
    expect(b.locator(".screen-status")).to_contain_text("My votes: 5 of 26")

    # ---- The arbiter settles the conflict. -----------------------------------------------------------------
    c = log_in(carol).page
    c.goto(f"{base}/screening/title-abstract/conflicts/")
    expect(c.locator("#resolvers")).to_contain_text("lena (lead), carol (arbiter)")
    c.click(f"a[href$='/conflicts/{first}/']")
    expect(c.locator("#resolvers")).to_contain_text("carol (arbiter)")
    c.check("input[name=decision][value=include]")
    c.fill("#rationale", "Vital-sign time series are clinical data")
    c.click("text=Record the decision")
    expect(c.locator("main")).to_contain_text("Decided by carol")
    shot(c, "04-arbiter-resolved")
    assert Resolution.objects.get(record=records[0]).decided_by == carol
    assert AuditEvent.objects.get(action="screening.conflict_resolved").detail["role"] == "arbiter"

    # ---- The lead finds records: status per stage, tag, words of the abstract. -----------------------------
    page.goto(f"{base}/records/?tag=ECG")
    expect(page.locator("#record-table tbody tr")).to_have_count(1)
    expect(page.locator("#record-table")).to_contain_text("ECG")
    page.goto(f"{base}/records/?awaiting_second=1")
    expect(page.locator("#record-table")).to_contain_text("No records match.")
    page.goto(f"{base}/records/?stage=full-text&status=not_retrieved")
    expect(page.locator("#record-table tbody tr")).to_have_count(1)
    page.goto(f"{base}/records/")
    page.fill("input[name=text]", "vital signs")
    expect(page.locator("#record-table .help").first).to_contain_text("25 records")
    shot(page, "05-records-list")

    # ---- The lead corrects record 3, which has no abstract; the original stays shown. ----------------------
    page.goto(f"{base}/records/{records[2].pk}/")
    page.click("#record-edit-link")
    page.fill("#edit-abstract", "Recovered from the publisher: fine-tuning on ICU vital signs.")
    page.fill("#edit-reason", "abstract missing from the PubMed export")
    page.click("text=Save the correction")
    expect(page.locator("#record-originals")).to_contain_text("abstract (imported: “empty”)")
    expect(page.locator("main")).to_contain_text("Recovered from the publisher")
    shot(page, "06-record-corrected")
    assert RecordEdit.objects.get(record=records[2]).before == ""

    # ---- 20 PDFs at once: matched by DOI, PMID in the name, or title; then attached. -----------------------
    for record in records[6:]:  # twenty more records reach full text
        cast(ann, record, "include")
        cast(bob, record, "include")
    targets = records[6:]
    assert len(targets) == 20
    paths = []
    for n, record in enumerate(targets):
        if n % 3 == 0:
            name, lines = f"download-{n}.pdf", [record.title, f"doi: {record.doi}"]
        elif n % 3 == 1:
            name, lines = f"PMID{record.pmid}.pdf", ["Scanned copy"]
        else:
            name, lines = f"scan-{n}.pdf", ["Critical Care Informatics", record.title, "Garcia A, Okafor B"]
        path = tmp_path / name
        path.write_bytes(make_pdf(lines))
        paths.append(str(path))
    page.goto(f"{base}/screening/fulltexts/bulk/")
    page.set_input_files("#bulk-files", paths)
    page.click("text=Upload and match")
    expect(page.locator(".msg-success")).to_contain_text(
        "20 files read: 20 matched with certainty; check each match below"
    )
    expect(page.locator("#bulk-review tbody tr")).to_have_count(20)
    shot(page, "07-bulk-matches")
    assert {item.proposed_id for item in BulkFullText.objects.all()} == {r.pk for r in targets}
    page.click("#bulk-attach")
    expect(page.locator(".msg-success")).to_contain_text("20 attached, 0 discarded.")
    assert FullText.objects.filter(record__in=targets, replaced_at__isnull=True).count() == 20

    # ---- The audit trail, filtered. ----------------------------------------------------------------------
    page.goto(f"{base}/audit/?action=record.edited")
    expect(page.locator("#audit-table tbody tr")).to_have_count(1)
    expect(page.locator("#audit-table")).to_contain_text("lena")
    shot(page, "08-audit")

    # ---- A refused change keeps the Members page whole; the overview says what to do next. ----------------
    page.goto(f"{base}/members/")
    lead_row = page.locator("#member-list tr", has_text="lena")
    lead_row.locator("select[name=role]").select_option("reviewer")
    expect(page.locator("#member-list")).to_contain_text("A review must keep at least one lead")
    expect(page.locator("nav.reviewnav")).to_be_visible()
    expect(page.locator("header.topbar")).to_be_visible()
    shot(page, "09-members-error-in-place")
    assert Membership.objects.get(review=review, user=lena).role == Role.LEAD
    page.goto(f"{base}/")
    expect(page.locator("#next-steps")).to_contain_text("What next")
    nav_height = page.locator("nav.reviewnav").bounding_box()["height"]
    assert nav_height < 60, nav_height  # one line at 1366 px
    shot(page, "10-overview")

    assert RecordTag.objects.filter(record=records[0]).count() == 1 and RecordNote.objects.count() == 1
    for person in (lead,):
        assert person.console_errors() == []
