"""The simulate_screening command: a thin wrapper over read_dataset + simulate, with precise errors."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "screening" / "exercise_depression.csv"


def run(*args: str) -> str:
    out = StringIO()
    call_command("simulate_screening", *args, stdout=out)
    return out.getvalue()


def test_json_prints_exactly_one_object_with_the_four_figures_and_the_stop() -> None:
    output = run(str(FIXTURE), "--seed", "0", "--json")
    figures = json.loads(output)
    assert set(figures) == {"wss95", "recall_at_10pct", "n_screened_to_95recall", "seconds", "stop"}
    stop = figures["stop"]
    assert {"screened", "recall", "target_recall", "confidence"} <= set(stop)
    assert (stop["target_recall"], stop["confidence"]) == (0.95, 0.95)
    # The stop comes after the random sample began and before every record of the 120 is screened twice.
    assert stop["switched_at"] <= stop["screened"] <= 120 and 0 <= stop["recall"] <= 1
    assert output.strip().count("\n") == 0
    # The ranker beats random order by far on this set (random order's expected WSS@95 is about 0).
    assert figures["wss95"] > 0.5 and figures["recall_at_10pct"] > 0.5
    assert 0 < figures["n_screened_to_95recall"] <= 120 and figures["seconds"] >= 0


def test_same_seed_same_figures_and_given_priors_are_used() -> None:
    first = json.loads(run(str(FIXTURE), "--seed", "4", "--json", "--batch", "2"))
    again = json.loads(run(str(FIXTURE), "--seed", "4", "--json", "--batch", "2"))
    assert {k: v for k, v in first.items() if k != "seconds"} == {k: v for k, v in again.items() if k != "seconds"}
    with_priors = json.loads(run(str(FIXTURE), "--prior-ids", "R001,R000", "--json"))
    assert with_priors["n_screened_to_95recall"] >= 2


def test_target_recall_and_confidence_are_passed_to_the_stopping_rule() -> None:
    stop = json.loads(run(str(FIXTURE), "--seed", "1", "--json", "--target-recall", "0.8", "--confidence", "0.9"))[
        "stop"
    ]
    assert (stop["target_recall"], stop["confidence"]) == (0.8, 0.9)
    with pytest.raises(CommandError, match="target recall and confidence"):
        run(str(FIXTURE), "--json", "--confidence", "1")


def test_plain_output_names_each_figure() -> None:
    output = run(str(FIXTURE), "--prior-included", "2", "--prior-excluded", "3")
    labels = ("WSS@95", "recall after 10% screened", "records screened to reach 95% recall", "seconds", "stopping rule")
    for label in labels:
        assert label in output


def test_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(CommandError, match=r"nope\.csv: no such file"):
        run(str(tmp_path / "nope.csv"))


def test_bad_row_is_named_by_file_and_line(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("record_id,title,abstract,label_included\nA,t,a,1\nB,t,a,yes\n")
    with pytest.raises(CommandError, match=r"bad\.csv, line 3: label_included must be 0 or 1"):
        run(str(path))


def test_missing_column_and_non_utf8_are_named(tmp_path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("id,title\n1,x\n")
    with pytest.raises(CommandError, match=r"cols\.csv: missing column"):
        run(str(path))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("record_id,title,abstract,label_included\nA,caf\xe9,a,1\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin\.csv: not UTF-8"):
        run(str(latin))


def test_unknown_prior_id_is_named() -> None:
    with pytest.raises(CommandError, match=r"unknown prior record id.*ZZZ"):
        run(str(FIXTURE), "--prior-ids", "R001,ZZZ")


def test_impossible_prior_counts_are_refused() -> None:
    with pytest.raises(CommandError, match="asked for 50 included"):
        run(str(FIXTURE), "--prior-included", "50")
