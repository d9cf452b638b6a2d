"""Reading files for the dedup engine and the dedupe_file entry point."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from review.dedup.cli import dedupe_file
from review.dedup.io import DedupInputError, read_csv, read_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dedup"


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_csv_columns_become_records() -> None:
    records = read_file(FIXTURES / "small.csv")
    assert [r.id for r in records] == ["1", "2", "3", "4", "5", "6", "7"]
    first = records[0]
    assert first.journal == "Journal of Cardiology"
    assert first.pages == "283-298"
    assert first.doi == "10.1000/ecg.2020.1"
    assert first.source_db == "PubMed"


def test_csv_without_title_column_is_refused_with_the_file_name() -> None:
    with pytest.raises(DedupInputError, match=r"listing\.csv: no title column"):
        read_csv("record_id,name\n1,x\n", name="listing.csv")


def test_csv_repeated_record_id_names_both_lines() -> None:
    with pytest.raises(DedupInputError, match="line 3 repeats line 2"):
        read_csv("record_id,title\n7,A title\n7,Another title\n")


def test_csv_with_bom_and_other_column_names_is_read(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes('\ufeffKey,Title,Author,Publication Year,DOI\nk1,A study,"Smith, J",2020,10.1/x\n'.encode())
    [record] = read_file(path)
    assert (record.id, record.title, record.year, record.doi) == ("k1", "A study", "2020", "10.1/x")


def test_ris_goes_through_the_importers_and_keeps_the_file_ids(tmp_path: Path) -> None:
    path = tmp_path / "export.ris"
    path.write_text(
        "TY  - JOUR\nID  - r1\nTI  - Copper surfaces in intensive care\nAU  - Smith, J.\nPY  - 2020\nER  - \n\n"
        "TY  - JOUR\nID  - r2\nTI  - Copper surfaces in intensive care.\nAU  - Smith, J\nPY  - 2020\nER  - \n",
        encoding="utf-8",
    )
    records = read_file(path)
    assert [r.id for r in records] == ["r1", "r2"]
    assert records[0].authors == "Smith, J."


def test_dedupe_file_writes_groups_pairs_and_a_summary(tmp_path: Path) -> None:
    out, pairs = tmp_path / "groups.csv", tmp_path / "pairs.csv"
    summary = dedupe_file(FIXTURES / "small.csv", out=out, pairs_out=pairs)
    groups = {row["record_id"]: row["group_id"] for row in read_rows(out)}
    assert set(groups) == {"1", "2", "3", "4", "5", "6", "7"}
    assert groups["1"] == groups["2"] == "1"  # the complete PubMed record is the one kept
    assert groups["3"] == groups["7"]  # same ward study, abbreviated journal, "10-9" pages, a year apart
    assert len({groups["4"], groups["5"], groups["6"], groups["1"]}) == 4  # editorials, erratum: distinct
    assert summary["records"] == 7
    assert summary["groups"] == 5
    assert summary["duplicates_removed"] == 2
    assert summary["possible_pairs"] == len(read_rows(pairs))
    assert read_rows(pairs) == [] or set(read_rows(pairs)[0]) == {"record_id_a", "record_id_b", "score", "reason"}
    assert summary["seconds"] >= 0


def test_mixed_encoding_is_refused_naming_the_byte_and_its_line(tmp_path: Path) -> None:
    # Before, the stray byte was silently replaced and the title changed without a word.
    path = tmp_path / "mixed.csv"
    path.write_bytes("record_id,title\n1,Café über alles\n".encode() + b"2,Caf\xe9 society\n")
    with pytest.raises(DedupInputError, match=r"mixed\.csv: Line 3: .*byte 0xE9 at offset \d+, after '2,Caf'"):
        read_file(path)


def test_legacy_encoded_csv_is_read_as_the_importers_read_it(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("record_id,title\n1,Café society and the ward\n".encode("cp1252"))
    [record] = read_file(path)
    assert record.title == "Café society and the ward"


def test_medline_without_csv_suffix_goes_through_the_importers(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("PMID- 123\nTI  - Copper surfaces in intensive care\nDP  - 2020\n", encoding="utf-8")
    [record] = read_file(path)
    assert (record.id, record.title, record.pmid) == ("1", "Copper surfaces in intensive care", "123")


def test_unrecognised_file_is_refused_with_the_importers_reason(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n", encoding="utf-8")
    with pytest.raises(DedupInputError, match=r"notes\.txt: Line 1: Unrecognised export format"):
        read_file(path)
