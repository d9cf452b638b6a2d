"""Every trap set (tests/review/dedup_traps.py) comes out as labelled, and the pair rules behind them hold."""

from __future__ import annotations

from dataclasses import replace

import pytest

from review.dedup.engine import deduplicate
from review.dedup.model import DedupRecord
from review.dedup.prepare import MAX_TITLE, prepare
from tests.review.dedup_traps import SERIAL_EDITORIALS, TRAPS, Trap, trap_outcomes


@pytest.mark.parametrize("trap", TRAPS, ids=[t.name for t in TRAPS])
def test_trap_set_comes_out_as_labelled(trap: Trap) -> None:
    lines = trap_outcomes(trap)
    assert len(lines) == len(trap.expect)
    assert [line for line in lines if not line.startswith("ok")] == []


def test_a_label_that_does_not_hold_is_reported() -> None:
    wrong = replace(SERIAL_EDITORIALS, expect=[("ed1", "ed2", "same"), ("ed1", "ed1b", "apart")])
    lines = trap_outcomes(wrong)
    assert lines[0].startswith("WRONG ed1~ed2: labelled same, came out apart")
    assert lines[1].startswith("WRONG ed1~ed1b: labelled apart, came out same")


def test_serial_editorials_differing_in_doi_pages_and_issue_are_kept_apart_without_asking() -> None:
    result = deduplicate(SERIAL_EDITORIALS.records)
    assert ["ed1", "ed1b"] in result.groups and ["ed2"] in result.groups and ["ed3"] in result.groups
    assert not any({p.a, p.b} & {"ed1", "ed1b"} and {p.a, p.b} & {"ed2", "ed3"} for p in result.possible)


def test_a_pair_that_differs_only_in_its_doi_goes_to_a_person_naming_the_doi() -> None:
    article = DedupRecord(
        "d1",
        "Dynamic capabilities and the pace of strategic renewal in family firms",
        "Berg, Anna; Costa, Rui",
        2020,
        "Strategic Organization",
        "18",
        "2",
        "233-259",
        "10.1177/1476127019850101",
    )
    other = replace(article, id="d2", doi="10.1177/1476127019850999")
    result = deduplicate([article, other])
    assert result.groups == [["d1"], ["d2"]]
    assert [p.reason.rsplit("differs: ", 1)[-1] for p in result.possible] == ["different-doi"]


def test_a_barred_pair_never_joins_one_group_through_a_third_record() -> None:
    # The sparse column (no issue, no pages) matches each issue's column; the two issues are different items.
    first = DedupRecord(
        "c1", "Remarks from the Editor", "Okafor, C.", 2021, "Management Review Quarterly", "44", "1", "1-2"
    )
    second = replace(first, id="c2", issue="2")
    sparse = replace(first, id="c3", issue="", pages="")
    groups = deduplicate([first, second, sparse]).groups
    assert not any("c1" in g and "c2" in g for g in groups)


@pytest.mark.parametrize("field", ["title", "abstract", "authors", "journal", "pages"])
def test_a_huge_field_is_read_by_a_bounded_prefix(field: str) -> None:
    record = DedupRecord("h", title="Sitagliptin and lipoprotein clearance in diabetic mice")
    huge = replace(record, **{field: (getattr(record, field) or "x") + " y" * 500_000})
    prepared = prepare(huge, 0)
    assert len(prepared.title_ns) <= MAX_TITLE and len(prepared.abstract) <= 400
    assert len(prepared.journal) <= 300 and len(prepared.authors) <= 20
    if field != "title":
        assert prepared.titles == prepare(record, 0).titles


def test_a_huge_title_still_finds_its_duplicate_by_its_prefix() -> None:
    title = "Sitagliptin reduces atherosclerosis by enhancing lipoprotein clearance in diabetic mice " * 2
    a = DedupRecord("a", title + "z" * 5_000_000, "Doe, J.; Roe, R.", 2018, "Atherosclerosis", "271", "2", "166-176")
    b = DedupRecord("b", title, "Doe, J.; Roe, R.", 2018, "Atherosclerosis", "271", "2", "166-176")
    assert deduplicate([a, b]).groups == [["a", "b"]]


def test_two_records_sharing_only_a_title_go_to_a_person() -> None:
    title = "Effects of transformational leadership on employee creativity in small firms"
    thin = [DedupRecord("t1", title, year=2020), DedupRecord("t2", title, year=2020)]
    result = deduplicate(thin)
    assert result.groups == [["t1"], ["t2"]]
    assert [p.reason.endswith("nothing but the title to go on") for p in result.possible] == [True]
    full = [replace(r, authors="Smith, Jane", journal="J Bus Res") for r in thin]
    assert deduplicate(full).groups == [["t1", "t2"]]
