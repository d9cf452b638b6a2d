"""Exports read back as an analyst would (pandas, rispy, bibtexparser), with blinding and formula-injection checks."""

from __future__ import annotations

import io

import bibtexparser
import pandas as pd
import pytest
import rispy

from reporting.exports.registry import export_chunks
from review.access import review_for_user
from screening.models import Stage
from screening.services.votes import VoteInput, vote_cast


def text(user, review, kind: str, bom: bool = False) -> str:
    access = review_for_user(user=user, slug=review.slug)
    return "".join(
        c if isinstance(c, str) else c.decode() for c in export_chunks(access=access, user=user, kind=kind, bom=bom)
    )


def frame(user, review, kind: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text(user, review, kind)), dtype=str, keep_default_na=False)


def test_records_csv_has_one_row_per_record_with_provenance(prisma_review, lead):
    df = frame(lead, prisma_review.review, "records")
    assert len(df) == 18  # 8 PubMed, 5 Embase, 2 register, 2 citations, 1 website
    p1 = df[df.record_id == str(prisma_review.records["P1"].pk)].iloc[0]
    assert p1.database == "PubMed"
    assert p1.file_name == "pubmed.ris"
    assert p1.ta_status == "included" and p1.ft_status == "included"
    assert {p1.ta_vote1_reviewer, p1.ta_vote2_reviewer} == {"reviewer", "reviewer2"}
    assert p1.ta_vote1_note.startswith("note by")
    assert p1.authors == "Author1, A.; Second1, B."  # the list joined by the database, in order
    e1 = df[df.record_id == str(prisma_review.records["E1"].pk)].iloc[0]
    assert e1.duplicate_of == str(prisma_review.records["P1"].pk) == e1.dedup_group


def test_records_csv_carries_the_resolution(prisma_review, lead):
    df = frame(lead, prisma_review.review, "records")
    p5 = df[df.record_id == str(prisma_review.records["P5"].pk)].iloc[0]
    assert p5.ft_resolution_decision == "exclude"
    assert p5.ft_resolution_by == "lead"
    assert p5.ft_resolution_rationale == "Fixed features"
    assert p5.ft_resolution_reason == "Did not use transfer learning"
    assert p5.ft_resolution_at[:4].isdigit() and "T" in p5.ft_resolution_at  # ISO 8601


def test_reviewer_never_sees_a_colleagues_vote_on_an_open_record(prisma_review, lead, reviewer, reviewer2):
    review, r = prisma_review.review, prisma_review.records
    # R2 has one vote by reviewer2 only: still awaiting, so blinded.
    vote_cast(review=review, record=r["R2"], stage=Stage.TITLE_ABSTRACT, reviewer=reviewer2,
              data=VoteInput(choice="exclude", note="secret"))  # fmt: skip
    mine = frame(reviewer, review, "records")
    row = mine[mine.record_id == str(r["R2"].pk)].iloc[0]
    assert row.ta_vote1_reviewer == "" and "secret" not in text(reviewer, review, "records")
    theirs = frame(reviewer2, review, "records")
    assert theirs[theirs.record_id == str(r["R2"].pk)].iloc[0].ta_vote1_note == "secret"  # their own
    assert "secret" in text(lead, review, "records")
    # Final records show every vote to everyone.
    p1 = mine[mine.record_id == str(r["P1"].pk)].iloc[0]
    assert {p1.ta_vote1_reviewer, p1.ta_vote2_reviewer} == {"reviewer", "reviewer2"}


def test_formula_cells_are_neutralised(prisma_review, lead):
    raw = text(lead, prisma_review.review, "records")
    assert "'=HYPERLINK(" in raw
    df = frame(lead, prisma_review.review, "records")
    assert not df.map(lambda v: v.startswith(("=", "+", "@"))).any().any()


def test_bom_only_when_asked(prisma_review, lead):
    assert text(lead, prisma_review.review, "prisma", bom=True).startswith("\ufeffdata,")
    assert text(lead, prisma_review.review, "prisma").startswith("data,node,box,description,boxtext,tooltips,url,n")


def test_prisma_csv_in_the_r_package_template_layout(prisma_review, lead):
    df = frame(lead, prisma_review.review, "prisma")
    assert list(df.columns) == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    n = dict(zip(df.data, df.n, strict=False))
    assert n["records_screened"] == "11" and n["duplicates"] == "2" and n["new_studies"] == "3"
    assert n["database_results"] == "13" and n["database_specific_results"] == "Embase, 5; PubMed, 8"
    assert sorted(n["dbr_excluded"].split("; ")) == ["Did not use transfer learning, 1", "Wrong population, 1"]


def test_included_ris_and_bibtex_read_back(prisma_review, lead):
    refs = rispy.loads(text(lead, prisma_review.review, "included-ris"))
    assert len(refs) == 4
    assert {ref["doi"] for ref in refs} == {
        "10.1000/study.1",
        "10.1000/study.31",
        "10.1000/study.41",
        "10.1000/study.51",
    }
    library = bibtexparser.parse_string(text(lead, prisma_review.review, "included-bibtex"))
    assert len(library.entries) == 4 and not library.failed_blocks


def test_dedup_log_lists_each_removed_duplicate(prisma_review, lead):
    df = frame(lead, prisma_review.review, "dedup-log")
    assert sorted(df.removed_record_id.astype(int)) == sorted(prisma_review.records[k].pk for k in ("E1", "E2", "C1"))


def test_agreement_csv_has_kappa_per_pair_and_stage(prisma_review, lead):
    df = frame(lead, prisma_review.review, "agreement")
    assert set(df.stage) == {"title-abstract", "full-text"}
    assert set(zip(df.reviewer_a, df.reviewer_b, strict=True)) == {("reviewer", "reviewer2")}
    ta = df[df.stage == "title-abstract"].iloc[0]
    assert int(ta.n) == 11  # every title/abstract record with both votes in


def test_charted_data_exports(charted_review, lead):
    wide = frame(lead, charted_review.review, "charted-wide")
    assert list(wide.study_id) == [str(charted_review.records["P1"].pk)] or len(wide) >= 1
    row = wide[wide.study_id == str(charted_review.records["P1"].pk)].iloc[0]
    assert row.sample_size == "95"
    assert "sample_size" in set(frame(lead, charted_review.review, "codebook").field)


def test_prisma_csv_of_an_empty_review_has_every_template_row_at_zero(review, lead):
    df = frame(lead, review, "prisma")
    assert len(df[df.box != "extra"]) == 32 and set(df[df.data == "records_screened"].n) == {"0"}


@pytest.mark.parametrize("kind", ["records", "dedup-log", "agreement", "charted-wide", "codebook"])
def test_exports_of_an_empty_review_have_just_a_header(review, lead, kind):
    assert len(frame(lead, review, kind)) == 0


@pytest.mark.parametrize("value", ["", "plain", "=1+1", "+x", "-x", "@SUM(A1)", "\tx", "\rx", "a=b", "'=x"])
def test_text_cells_follow_the_shared_csv_rules(value):
    from reporting.exports.csvfast import text
    from review.csv_export import cell

    assert text(value) == cell(value)


def test_export_command_writes_a_file_and_applies_blinding(prisma_review, reviewer, tmp_path):
    from django.core.management import CommandError, call_command

    out = tmp_path / "records.csv"
    call_command("export", "--review", prisma_review.review.slug, "records", "--out", str(out), "--as", "reviewer")
    assert len(pd.read_csv(out)) == 18
    with pytest.raises(CommandError, match="may not export bundle"):
        call_command("export", "--review", prisma_review.review.slug, "bundle", "--out", str(out), "--as", "reviewer")
    with pytest.raises(CommandError, match="No review"):
        call_command("export", "--review", "nope", "records", "--out", str(out))


def test_records_csv_ends_with_the_tags_a_reader_may_see_and_uses_corrected_values(
    prisma_review, lead, reviewer, reviewer2
):
    from review.services.labels import tag_add
    from review.services.record_edits import record_edit

    review, r = prisma_review.review, prisma_review.records
    vote_cast(review=review, record=r["R2"], stage=Stage.TITLE_ABSTRACT, reviewer=reviewer2,
              data=VoteInput(choice="exclude"))  # fmt: skip
    tag_add(review=review, record=r["R2"], name="imaging", by=reviewer2)
    tag_add(review=review, record=r["P1"], name="ECG", by=lead)
    record_edit(review=review, record=r["P1"], by=lead, changes={"title": "Corrected title"})
    df = frame(lead, review, "records")
    assert list(df.columns)[-1] == "tags"
    p1 = df[df.record_id == str(r["P1"].pk)].iloc[0]
    assert p1.tags == "ECG" and p1.title == "Corrected title"
    assert df[df.record_id == str(r["R2"].pk)].iloc[0].tags == "imaging"
    # reviewer has not voted on R2: under blinding reviewer2's tag stays hidden from them
    mine = frame(reviewer, review, "records")
    assert mine[mine.record_id == str(r["R2"].pk)].iloc[0].tags == ""
