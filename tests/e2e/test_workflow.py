"""The whole review in real browsers, one context per person: the lead creates the review and adds two reviewers,
imports PubMed, Embase and CINAHL exports, deduplicates (watching the progress bar) and settles a possible duplicate
with the keyboard; both reviewers screen titles and abstracts by keyboard, the lead resolves their conflict; full
texts are uploaded and screened, exclusions carry a reason picked by number key; the lead builds the charting form
from the template, two extractors chart a study and the lead sets the consensus; the PRISMA diagram shows the
numbers of this flow and the records CSV downloads and parses. Each milestone is checked in the page and in the rows.

The fixture: 8 records (PubMed 3, Embase 3, CINAHL 2). The ECG study is in PubMed and Embase with the same PMID
(merged automatically); the intensive care study is in Embase and CINAHL under two journal names (a possible
duplicate, which the lead declares the same work). 6 records are screened; 2 are excluded at title/abstract, 4 go
to full text, 2 of those are excluded with a reason and 2 studies are included.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from pathlib import Path

from playwright.sync_api import expect

from charting.models import ConsensusValue, Extraction, Field, Form
from reporting.prisma import prisma_counts
from review.models import DedupRun, DuplicateDecision, Membership, PossibleDuplicate, Record, Review, Role, SearchFile
from review.tasks import dedup_run_task
from screening.models import ExclusionReason, FullText, Resolution, Stage, StageOutcome, Vote
from tests.e2e.conftest import EXPORTS, add_search, browser_tests, check_preview, upload

pytestmark = browser_tests()

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT

ECG = "Transfer learning for arrhythmia detection"
TRIAGE = "Language models trained from scratch"
THEATRE = "A rule-based scheduler"
ICU = "Domain adaptation of convolutional networks"
COUGH = "Transfer learning from speech models"
HANDOVER = "Night-shift handover checklists"

# Title/abstract keys per record: (ann, bob). Include + maybe goes on to full text; include + exclude conflicts.
TA_KEYS = {
    ECG: ("i", "i"),
    TRIAGE: ("i", "m"),
    THEATRE: ("e", "e"),
    ICU: ("i", "e"),
    COUGH: ("m", "i"),
    HANDOVER: ("e", "e"),
}
NON_CLINICAL, NO_TRANSFER = "Non-clinical research", "Did not use transfer learning"
# Full-text keys, the same for both reviewers: include, or exclude and the number of the reason.
FT_KEYS = {ECG: ("i",), ICU: ("i",), TRIAGE: ("e", "2"), COUGH: ("e", "1")}

ANSWERS = {  # the ECG study as both extractors chart it; they differ only in the authors' affiliations
    "specialty": "cardiology",
    "target_data_type": "time_series",
    "source_data_type": "time_series",
    "transformation_to_images": "no",
    "transfer_type": "fine_tuning",
    "model_architecture": "cnn",
    "model_public": "no",
    "data_public": "no",
    "code_shared": "no",
    "software": "pytorch",
}


def tiny_pdf(text: str) -> bytes:
    """A minimal valid one-page PDF (catalog, pages, page, content stream, font, cross-reference table)."""
    content = b"BT /F1 12 Tf 24 72 Td (" + text.encode("ascii").replace(b"(", b"[").replace(b")", b"]") + b") Tj ET"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 144] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return out


def key_of(title: str, plan: Mapping[str, tuple[str, ...]]) -> str:
    return next(prefix for prefix in plan if title.startswith(prefix))


def screen_every_record(person, url: str, plan: Mapping[str, tuple[str, ...]], *, who: int = 0, pdfs=None) -> list[str]:
    """Screen until nothing is left, by keys only; returns the titles (plan keys) in the order they came."""
    page = person.page
    page.goto(url)
    panel = page.locator("#screen-panel")
    seen: list[str] = []
    while True:
        expect(panel).to_be_visible()
        record_id = panel.get_attribute("data-record")
        if record_id is None:
            expect(panel).to_contain_text("Nothing left for you")
            return seen
        title = key_of(panel.locator(".record-title").inner_text(), plan)
        seen.append(title)
        expect(panel.locator(".vote-line")).to_have_count(0)  # blinded: nobody else's vote shows
        if pdfs is not None:
            if panel.locator(".screen-pdf iframe").count() == 0:
                page.set_input_files("input[name=file]", str(pdfs[title]))
                page.click("text=Upload PDF")
            expect(page.locator(".screen-pdf iframe")).to_be_visible()
        keys = plan[title] if pdfs is not None else (plan[title][who],)
        page.keyboard.press(keys[0])
        if len(keys) > 1:
            expect(page.locator("#reasons")).to_be_visible()
            page.keyboard.press(keys[1])
        expect(page.locator(f"#screen-panel[data-record='{record_id}']")).to_have_count(0)


def test_whole_review_from_import_to_prisma_and_csv(log_in, people, live_server, held_tasks, ranker_requests, tmp_path):
    lena, ann_user, bob_user = people["lena"], people["ann"], people["bob"]

    # ---- The lead creates the review and invites the two reviewers by username; each accepts. -----------------
    lead = log_in(lena)
    page = lead.page
    page.goto(f"{live_server.url}/reviews/new/")
    page.fill("#id_title", "Transfer learning on non-image clinical data")
    page.fill("#id_description", "Map how transfer learning is used on non-image clinical data.")
    page.fill("#id_inclusion_criteria", "Transfer learning\nClinical data that are not images")
    page.fill("#id_exclusion_criteria", "Imaging only\nNo transfer learning")
    page.click("text=Create review")
    expect(page.locator(".msg-success")).to_contain_text("Review created")
    review = Review.objects.get(title="Transfer learning on non-image clinical data")
    base = f"{live_server.url}/reviews/{review.slug}"
    assert page.url == f"{base}/"
    page.click("nav.reviewnav >> text=Members")
    for name in ("ann", "bob"):
        page.fill("#id_identifier", name)
        page.select_option("#id_role", "reviewer")
        page.click("main button:has-text('Invite')")
        expect(page.locator(".msg-success")).to_contain_text(f"{name} is invited")
    # Nobody joins a review without consent: each reviewer accepts on their own reviews page.
    ann, bob = log_in(ann_user), log_in(bob_user)
    for person in (ann, bob):
        person.page.click("#my-invitations button:has-text('Accept')")
        expect(person.page.locator(".msg-success")).to_contain_text("Welcome to")
    page.reload()
    expect(page.locator("#member-list tbody tr")).to_have_count(3)
    roles = dict(Membership.objects.filter(review=review).values_list("user__username", "role"))
    assert roles == {"lena": Role.LEAD, "ann": Role.REVIEWER, "bob": Role.REVIEWER}

    # Deduplication is run by hand once every file is in, rather than after each import.
    page.click("nav.reviewnav >> a:text-is('Settings')")
    page.uncheck("#id_dedup_automatic")
    page.click("text=Save settings")
    expect(page.locator(".msg-success")).to_contain_text("Settings saved.")
    review.refresh_from_db()
    assert review.dedup_automatic is False

    # ---- Imports: each file previewed, then imported. -------------------------------------------------------
    for export in EXPORTS:
        add_search(page, base, export)
        upload(page, export)
        check_preview(page, export)
        page.click("#confirm-import")
        expect(page.locator("#import-status .msg-success")).to_contain_text(f"{len(export.titles)} records imported")
    assert list(SearchFile.objects.filter(review=review).values_list("status", flat=True)) == ["imported"] * 3
    assert Record.objects.filter(review=review).count() == 8
    assert not DedupRun.objects.filter(review=review).exists()

    # ---- Deduplication: the run waits for a worker with its progress bar, then the page shows the outcome. ----
    held_tasks.hold(dedup_run_task)
    page.click("nav.reviewnav >> text=Duplicates")
    page.click("#run-dedup")
    status = page.locator("#dedup-status")
    expect(status.locator("h2")).to_have_text("Deduplicating…")
    expect(status.get_by_role("progressbar")).to_be_visible()
    assert held_tasks.run_all() == 1
    held_tasks.release(dedup_run_task)
    expect(status.locator(".msg-success")).to_contain_text("Last run")
    expect(status.get_by_role("progressbar")).to_have_count(0)
    expect(page.locator("#duplicates-removed")).to_have_text("1")
    expect(page.locator("#possible-count")).to_have_text("1")
    assert [r.pmid for r in Record.objects.filter(review=review, merged_into__isnull=False)] == ["35000101"]
    pair = PossibleDuplicate.objects.get(review=review, decision__isnull=True)
    assert {pair.record_a.search.database, pair.record_b.search.database} == {"Embase", "CINAHL"}

    # The possible duplicate, side by side; S says it is the same work.
    page.click("text=Check possible duplicates")
    expect(page.locator("#possible-pair")).to_contain_text("1 pair to check")
    expect(page.locator("#possible-pair table.compare")).to_contain_text("Nursing in Critical Care Research")
    page.wait_for_load_state("load")  # the key handler is a deferred script: a key pressed earlier is not seen
    page.keyboard.press("s")
    expect(page.locator("#possible-pair")).to_contain_text("No possible duplicates left to check.")
    decision = DuplicateDecision.objects.get(review=review)
    assert decision.same is True and decision.decided_by == lena
    merged = Record.objects.filter(review=review, merged_into__isnull=False)
    assert sorted(key_of(r.title, TA_KEYS) for r in merged) == sorted([ECG, ICU])
    assert all(key_of(r.merged_into.title, TA_KEYS) == key_of(r.title, TA_KEYS) for r in merged if r.merged_into)
    assert merged.count() == 2
    page.goto(f"{base}/duplicates/")
    expect(page.locator("#duplicates-removed")).to_have_text("2")
    expect(page.locator("#possible-count")).to_have_text("0")

    # ---- Title/abstract screening: each reviewer in their own browser, keys only. ----------------------------
    ta_url = f"{base}/screening/{TA.value}/"
    assert sorted(screen_every_record(ann, ta_url, TA_KEYS, who=0)) == sorted(TA_KEYS)
    assert sorted(screen_every_record(bob, ta_url, TA_KEYS, who=1)) == sorted(TA_KEYS)
    assert Vote.objects.filter(review=review, stage=TA).count() == 12
    kept = {key_of(r.title, TA_KEYS): r for r in Record.objects.filter(review=review, merged_into__isnull=True)}
    statuses = {title: StageOutcome.objects.get(record=record, stage=TA).status for title, record in kept.items()}
    assert statuses == {
        ECG: "included",
        TRIAGE: "included",
        THEATRE: "excluded",
        ICU: "conflict",
        COUGH: "included",
        HANDOVER: "excluded",
    }
    assert ranker_requests  # include and maybe votes ask for a retraining (recorded, not run, here)

    # ---- The conflict: the lead reads both votes and decides. -----------------------------------------------
    page.goto(f"{base}/screening/conflicts/")
    expect(page.locator("#conflict-table tbody tr")).to_have_count(1)
    page.click(f"#conflict-table a[href$='/conflicts/{kept[ICU].pk}/']")
    body = page.locator("#conflict-body")
    expect(body.locator("tbody tr")).to_have_count(2)
    page.check("input[name=decision][value=include]")
    page.fill("#rationale", "Vital-sign time series are clinical data; the networks were pretrained elsewhere.")
    page.click("text=Record the decision")
    expect(body).to_contain_text("Decided by lena")
    resolution = Resolution.objects.get(record=kept[ICU], stage=TA)
    assert (resolution.decision, resolution.decided_by) == ("include", lena)
    assert StageOutcome.objects.get(record=kept[ICU], stage=TA).status == "included"
    assert {o.record_id for o in StageOutcome.objects.filter(stage=FT)} == {kept[t].pk for t in FT_KEYS}

    # ---- Full text: the lead lists the reasons; Ann uploads the PDFs; both decide with keys. ------------------
    page.goto(f"{base}/screening/settings/")
    for label in (NON_CLINICAL, NO_TRANSFER):
        page.fill("#reason-list input[name=label][aria-label='New reason']", label)
        page.click("#reason-list >> text=Add reason")
        expect(page.locator(f"#reason-list input[value='{label}']")).to_have_count(1)
    reasons = list(ExclusionReason.objects.filter(review=review).order_by("position").values_list("label", flat=True))
    assert reasons == [NON_CLINICAL, NO_TRANSFER]
    pdfs = {}
    for title in FT_KEYS:
        pdfs[title] = tmp_path / f"{kept[title].pk}.pdf"
        pdfs[title].write_bytes(tiny_pdf(kept[title].title))
    ft_url = f"{base}/screening/{FT.value}/"
    assert sorted(screen_every_record(ann, ft_url, FT_KEYS, pdfs=pdfs)) == sorted(FT_KEYS)
    assert FullText.objects.filter(record__review=review).count() == 4
    for title, path in pdfs.items():
        stored = FullText.objects.get(record=kept[title])
        assert (stored.sha256, stored.uploaded_by) == (hashlib.sha256(path.read_bytes()).hexdigest(), ann_user)
    served = bob.page.request.get(f"{base}/screening/records/{kept[ECG].pk}/fulltext/")
    assert served.headers["content-type"] == "application/pdf"
    assert served.body() == pdfs[ECG].read_bytes()
    assert sorted(screen_every_record(bob, ft_url, FT_KEYS, pdfs=pdfs)) == sorted(FT_KEYS)  # PDFs already there
    assert FullText.objects.filter(record__review=review).count() == 4
    ft = {title: StageOutcome.objects.get(record=kept[title], stage=FT) for title in FT_KEYS}
    assert {title: (o.status, o.reasons) for title, o in ft.items()} == {
        ECG: ("included", []),
        ICU: ("included", []),
        TRIAGE: ("excluded", [NO_TRANSFER]),
        COUGH: ("excluded", [NON_CLINICAL]),
    }
    assert Vote.objects.filter(stage=FT, record=kept[COUGH], reason__label=NON_CLINICAL).count() == 2

    # The lead's progress page: agreement of the two reviewers, worked out by hand from the keys above. At
    # title/abstract they agree on 3 of 6 records; chance agreement is (3*2 + 2*3 + 1*1) / 36 over include,
    # exclude and maybe, so kappa = (1/2 - 13/36) / (1 - 13/36) = 0.22. At full text they agree throughout.
    page.click("nav.reviewnav >> a:text-is('Progress')")
    ta_card, ft_card = page.locator("main section.card").nth(0), page.locator("main section.card").nth(1)
    names = r"ann \W bob\s*"  # the page joins the two names with a dash
    expect(ta_card.locator("table.agreement tbody tr").first).to_have_text(re.compile(names + r"6\s*50%\s*0\.22"))
    expect(ft_card.locator("table.agreement tbody tr").first).to_have_text(re.compile(names + r"4\s*100%\s*1\.00"))
    expect(ft_card).to_contain_text(f"{NO_TRANSFER}: 1")

    # ---- Charting: the form from the template; both reviewers chart the ECG study; the lead settles. ----------
    page.goto(f"{base}/charting/form/")
    page.select_option("select[name=start]", "template:transfer-learning")
    page.click("text=Create the form")
    expect(page.locator("#field-specialty")).to_be_visible()
    form = Form.objects.get(review=review)
    assert Field.objects.filter(version__form=form).count() == 15
    page.goto(f"{base}/charting/")
    page.click("text=Assign all waiting studies")
    expect(page.locator("#study-progress tbody tr")).to_have_count(2)
    extractions = Extraction.objects.filter(record__review=review)
    assert sorted(extractions.values_list("record_id", "extractor__username")) == sorted(
        (kept[t].pk, name) for t in (ECG, ICU) for name in ("ann", "bob")
    )
    for person, affiliations in ((ann, "both"), (bob, "clinical")):
        tab = person.page
        tab.goto(f"{base}/charting/")
        tab.locator("#my-extractions tr", has_text="arrhythmia").get_by_role("link", name="Chart").click()
        expect(tab.locator(".study-title")).to_contain_text(ECG)
        for key, value in {**ANSWERS, "affiliations": affiliations}.items():
            tab.check(f"input[name=f-{key}][value={value}]")
        tab.fill("textarea[name=f-aim]", "Detect atrial fibrillation from single-lead ECG")
        tab.fill("input[name=f-sample_size]", "1200")
        expect(tab.locator("#save-status")).to_contain_text("Draft saved")
        expect(tab.locator("#save-status .error")).to_have_count(0)
        tab.click("#submit-extraction")
        expect(tab.locator(".msg-success")).to_contain_text("submitted")
    ecg_extractions = extractions.filter(record=kept[ECG])
    assert sorted(ecg_extractions.values_list("status", flat=True)) == ["submitted", "submitted"]
    page.goto(f"{base}/charting/studies/{kept[ECG].pk}/")
    expect(page.locator("#comparison tr.differs")).to_have_count(1)
    expect(page.locator("#row-affiliations")).to_contain_text("differs")
    page.click('#row-affiliations >> button[aria-label="Use ann\'s answer for Author affiliations"]')
    expect(page.locator("#comparison")).to_contain_text("data is final")
    final = ConsensusValue.objects.filter(record=kept[ECG]).order_by("field_key", "-id")
    latest: dict[str, ConsensusValue] = {}
    for decided in final:
        latest.setdefault(decided.field_key, decided)
    assert latest["affiliations"].decided_by == lena
    assert latest["sample_size"].value == 1200
    assert len(latest) >= 12  # every answered field has a final value

    # ---- PRISMA: the flow above, in numbers. ------------------------------------------------------------------
    counts = prisma_counts(review=review)
    expected = {
        "database_results": 8,
        "duplicates": 2,
        "records_screened": 6,
        "records_excluded": 2,
        "dbr_sought_reports": 4,
        "dbr_notretrieved_reports": 0,
        "dbr_assessed": 4,
        "dbr_excluded": 2,
        "new_studies": 2,
        "new_reports": 2,
    }
    assert {name: getattr(counts, name) for name in expected} == expected
    assert sorted(counts.database_specific) == [("CINAHL", 2), ("Embase", 3), ("PubMed", 3)]
    assert sorted(counts.dbr_excluded_reasons) == [(NO_TRANSFER, 1), (NON_CLINICAL, 1)]
    assert sum(n for _database, n in counts.duplicates_specific) == 2
    page.click("nav.reviewnav >> a:text-is('Report')")
    diagram = page.locator("#prisma-svg")
    for line in (
        "Databases (n = 8)",
        "PubMed (n = 3)",
        "Embase (n = 3)",
        "CINAHL (n = 2)",
        "Duplicate records (n = 2)",
        "Records screened (n = 6)",
        "Records excluded (n = 2)",
        "Reports sought for retrieval (n = 4)",
        "Reports not retrieved (n = 0)",
        "Reports assessed for eligibility (n = 4)",
        "Reports excluded (n = 2)",
        f"{NON_CLINICAL} (n = 1)",
        f"{NO_TRANSFER} (n = 1)",
        "Studies included in review (n = 2)",
    ):
        expect(diagram).to_contain_text(line)
    expect(page.locator(".prisma-checks .check-fail")).to_have_count(0)

    # ---- The records CSV, downloaded as a person would, then read as an analyst would. ------------------------
    page.goto(f"{base}/report/exports/")
    with page.expect_download() as download_info:
        page.click("#export-records")
    download = download_info.value
    assert download.suggested_filename == f"{review.slug}-records.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 8
    by_id = {int(row["record_id"]): row for row in rows}
    assert set(by_id) == set(Record.objects.filter(review=review).values_list("pk", flat=True))
    assert sorted(row["database"] for row in rows) == ["CINAHL"] * 2 + ["Embase"] * 3 + ["PubMed"] * 3
    assert sum(1 for row in rows if row["duplicate_of"]) == 2
    for title, record in kept.items():
        row = by_id[record.pk]
        assert row["ta_status"] == ("included" if title == ICU else statuses[title])  # the lead's decision
        if title in FT_KEYS:
            assert row["ft_status"] == ft[title].status
    assert by_id[kept[COUGH].pk]["ft_reasons"] == NON_CLINICAL
    assert by_id[kept[ICU].pk]["ta_resolution_decision"] == "include"
    assert {by_id[kept[ICU].pk][f"ta_vote{n}_reviewer"] for n in (1, 2)} == {"ann", "bob"}
    assert {by_id[kept[ICU].pk][f"ta_vote{n}_choice"] for n in (1, 2)} == {"include", "exclude"}

    # ---- The charted data, one row per study, as R or Stata would read it. -----------------------------------
    with page.expect_download() as download_info:
        page.click("#export-charted-wide")
    charted = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert {int(row["study_id"]): row["charting_status"] for row in charted} == {
        kept[ECG].pk: "final",
        kept[ICU].pk: "in_progress",
    }
    ecg_row = next(row for row in charted if int(row["study_id"]) == kept[ECG].pk)
    assert (ecg_row["affiliations"], ecg_row["specialty"], ecg_row["sample_size"]) == ("Both", "Cardiology", "1200")
    assert (ecg_row["model_architecture__cnn"], ecg_row["model_architecture__rnn"]) == ("1", "0")

    for person in (lead, ann, bob):
        assert person.console_errors() == [], person.user.username
