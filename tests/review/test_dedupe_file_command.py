import csv
import json

import pytest
from django.core.management import CommandError, call_command

ROWS = [
    ["record_id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "abstract", "isbn_issn"],
    ["1", "Transfer learning for ECG classification", "Smith J; Doe J", "2020", "J Cardiol", "12", "3", "283-98",
     "10.1000/ecg.1", "We fine-tuned a network.", ""],
    ["2", "Transfer Learning for ECG Classification.", "Smith, John; Doe, Jane", "2020", "Journal of Cardiology", "12",
     "3", "283-298", "https://doi.org/10.1000/ECG.1", "", ""],
    ["3", "Nudging hand hygiene", "Garcia M", "2015", "Infection Control", "3", "", "10-19", "10.1000/hh.9", "", ""],
]  # fmt: skip


def test_dedupe_file_writes_groups_and_summary(tmp_path, capsys, db):
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows(ROWS)
    out, pairs = tmp_path / "out.csv", tmp_path / "pairs.csv"
    call_command("dedupe_file", str(source), "--out", str(out), "--pairs-out", str(pairs), "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["records"] == 3 and summary["duplicates_removed"] == 1
    groups = {row["record_id"]: row["group_id"] for row in csv.DictReader(out.open())}
    assert groups["1"] == groups["2"] != groups["3"]
    assert pairs.exists()


def test_dedupe_file_missing_input_names_it(tmp_path, db):
    with pytest.raises(CommandError, match=r"missing\.csv"):
        call_command("dedupe_file", str(tmp_path / "missing.csv"))


PREPRINTS = [
    ["record_id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "abstract", "isbn_issn"],
    ["p", "Household transmission of respiratory syncytial virus among children under five", "Kowalski A; Mensah K",
     "2022", "medRxiv", "", "", "", "10.1101/2022.03.14.22272345", "", ""],
    ["j", "Household transmission of respiratory syncytial virus among children under five", "Kowalski A; Mensah K",
     "2023", "Lancet Infect Dis", "23", "5", "601-610", "10.1016/S1473-3099(22)00811-4", "", ""],
]  # fmt: skip


@pytest.mark.parametrize(("versions", "removed", "asked"), [("possible", 0, 1), ("same", 1, 0), ("separate", 0, 0)])
def test_dedupe_file_applies_the_versions_setting(tmp_path, capsys, db, versions, removed, asked):
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows(PREPRINTS)
    call_command("dedupe_file", str(source), "--versions", versions, "--json")
    summary = json.loads(capsys.readouterr().out)
    assert (summary["duplicates_removed"], summary["possible_pairs"]) == (removed, asked)


def test_dedupe_file_refuses_an_unknown_versions_setting(tmp_path, db):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("dedupe_file", str(tmp_path / "in.csv"), "--versions", "sometimes")
