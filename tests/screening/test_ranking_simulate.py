"""Screening simulation and its metrics, on a small invented set (12 of 120 records included)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from screening.ranking.simulate import SimulationResult, read_dataset, screening_metrics, simulate

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "screening" / "exercise_depression.csv"


@pytest.fixture(scope="module")
def fixture_set() -> tuple[list[str], list[str], list[int]]:
    return read_dataset(FIXTURE)


def _without_time(result: SimulationResult) -> dict[str, object]:
    figures = dataclasses.asdict(result)
    del figures["seconds"]
    return figures


def test_read_dataset_returns_ids_texts_with_keywords_and_labels(fixture_set) -> None:
    ids, texts, labels = fixture_set
    assert len(ids) == len(texts) == len(labels) == 120
    assert ids[0] == "R000"
    assert sum(labels) == 12
    with_keywords = [t for t, label in zip(texts, labels, strict=True) if label == 1 and "aged" in t]
    assert with_keywords and all(t.endswith("exercise; depression; aged") for t in with_keywords)


def test_read_dataset_names_the_line_of_a_bad_label(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("record_id,title,abstract,label_included\n1,A,B,1\n2,C,D,yes\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 3: label_included must be 0 or 1"):
        read_dataset(path)


def test_read_dataset_names_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("record_id,title,label_included\n1,A,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing column.*abstract"):
        read_dataset(path)


def test_read_dataset_rejects_duplicate_record_ids(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("record_id,title,abstract,label_included\n7,A,B,1\n7,C,D,0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3: duplicate record_id '7'"):
        read_dataset(path)


def test_read_dataset_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("\ufeffrecord_id,title,abstract,label_included\n1,A,,1\n", encoding="utf-8")
    assert read_dataset(path) == (["1"], ["A"], [1])


def test_simulation_is_deterministic_for_a_seed(fixture_set) -> None:
    _, texts, labels = fixture_set
    first = simulate(texts, labels, seed=4)
    assert _without_time(first) == _without_time(simulate(texts, labels, seed=4))


def test_simulation_saves_work_compared_with_random_order(fixture_set) -> None:
    _, texts, labels = fixture_set
    for seed in (0, 1, 2):
        result = simulate(texts, labels, seed=seed)
        # Random order screens about 95% of the records to find 95% of the included ones (WSS@95 near 0).
        assert result.wss95 > 0.6
        assert result.recall_at_10pct >= 0.75
        assert result.n_screened_to_95recall <= 30


def test_simulation_with_a_batch_schedule_still_finds_the_included_records(fixture_set) -> None:
    _, texts, labels = fixture_set
    result = simulate(texts, labels, seed=0, batch=5)
    assert result.wss95 > 0.5
    assert _without_time(result) == _without_time(simulate(texts, labels, seed=0, batch=5))


def test_the_stopping_procedure_samples_after_the_ranked_phase_and_stops_at_its_test(fixture_set) -> None:
    _, texts, labels = fixture_set
    for seed in (0, 1, 2):
        stop = simulate(texts, labels, seed=seed).stop
        # The random sample begins after a run of 50 irrelevant records (the floor for a set of 120).
        assert 52 <= stop.switched_at <= stop.screened <= 120
        assert stop.work_saved == pytest.approx((120 - stop.screened) / 120)
        assert (stop.target_recall, stop.confidence) == (0.95, 0.95)
        # 12 included: fewer than 19 found, so the test needs about 95% of the records left sampled unless the
        # urn is exhausted; recall at the stop is what was found by then.
        assert stop.recall >= 11 / 12


def test_a_looser_target_stops_no_later(fixture_set) -> None:
    _, texts, labels = fixture_set
    strict = simulate(texts, labels, seed=3).stop
    loose = simulate(texts, labels, seed=3, target_recall=0.8, confidence=0.8).stop
    assert loose.switched_at == strict.switched_at
    assert loose.screened <= strict.screened


def test_metrics_when_the_priors_already_hold_every_included_record(fixture_set) -> None:
    ids, texts, labels = fixture_set
    included = [record_id for record_id, label in zip(ids, labels, strict=True) if label == 1]
    priors = [*included, ids[labels.index(0)]]
    result = simulate(texts, labels, prior_ids=priors, ids=ids)
    # The prior records count as screened.
    assert result.n_screened_to_95recall == 13
    assert result.wss95 == pytest.approx((120 - 13) / 120 - 0.05)
    assert result.recall_at_10pct == 1.0


def test_ninety_five_percent_recall_is_rounded_up_to_whole_records() -> None:
    # 21 included records: 95% recall is 19.95, so 20 records are needed; with 20 included, 19 are enough.
    order = [1] * 19 + [0] * 10 + [1] + [0] * 50 + [1]
    wss95, _, n_to_target = screening_metrics(order, n_records=200, n_included=21)
    assert n_to_target == 30
    assert wss95 == pytest.approx((200 - 30) / 200 - 0.05)
    assert screening_metrics(order[:19] + [0] * 10 + [1], n_records=200, n_included=20)[2] == 19


def test_recall_at_ten_percent_counts_ceil_of_a_tenth_of_the_records() -> None:
    # 101 records: 10% is 10.1, so the first 11 screened records count.
    order = [0] * 10 + [1] + [1]
    assert screening_metrics(order, n_records=101, n_included=2)[1] == 0.5
    assert screening_metrics(order, n_records=100, n_included=2)[1] == 0.0


def test_metrics_refuse_an_order_that_never_reaches_95_percent_recall() -> None:
    with pytest.raises(ValueError, match="95% recall not reached"):
        screening_metrics([1, 0, 0], n_records=10, n_included=3)


def test_prior_positions_of_one_class_start_from_a_random_order(fixture_set) -> None:
    _, texts, labels = fixture_set
    irrelevant = [i for i, label in enumerate(labels) if label == 0][:2]
    result = simulate(texts, labels, prior_ids=irrelevant, seed=1)
    assert result.n_screened_to_95recall <= len(texts)
    assert _without_time(result) == _without_time(simulate(texts, labels, prior_ids=irrelevant, seed=1))


def test_unknown_prior_record_ids_are_named(fixture_set) -> None:
    ids, texts, labels = fixture_set
    with pytest.raises(ValueError, match=r"unknown prior record id.*NOPE"):
        simulate(texts, labels, prior_ids=["R000", "NOPE"], ids=ids)


def test_more_priors_than_included_records_is_an_error(fixture_set) -> None:
    _, texts, labels = fixture_set
    with pytest.raises(ValueError, match="13 included"):
        simulate(texts, labels, prior_included=13)


def test_a_set_without_included_records_cannot_be_simulated() -> None:
    with pytest.raises(ValueError, match="no included record"):
        simulate(["a", "b"], [0, 0])


def test_a_single_included_record() -> None:
    result = simulate(["only record"], [1], prior_included=1, prior_excluded=0)
    assert result.n_screened_to_95recall == 1
    assert result.recall_at_10pct == 1.0
    assert result.wss95 == pytest.approx(-0.05)


def test_prior_record_ids_and_prior_positions_give_the_same_simulation(fixture_set) -> None:
    ids, texts, labels = fixture_set
    positions = [labels.index(1), labels.index(0)]
    by_id = simulate(texts, labels, prior_ids=[ids[p] for p in positions], ids=ids, seed=3)
    by_position = simulate(texts, labels, prior_ids=positions, seed=3)
    assert _without_time(by_id) == _without_time(by_position)


def test_record_ids_must_match_the_texts(fixture_set) -> None:
    ids, texts, labels = fixture_set
    with pytest.raises(ValueError, match="119 record ids for 120 texts"):
        simulate(texts, labels, prior_ids=["R000"], ids=ids[:-1])


def test_batch_must_be_positive(fixture_set) -> None:
    _, texts, labels = fixture_set
    with pytest.raises(ValueError, match="batch"):
        simulate(texts, labels, batch=0)


def _separable_set(n: int = 400, relevant: int = 30) -> tuple[list[str], list[int]]:
    rng = np.random.default_rng(7)
    common = [f"word{i}" for i in range(300)]
    texts, labels = [], []
    for i in range(n):
        words = list(rng.choice(common, size=40))
        if i % (n // relevant) == 0 and sum(labels) < relevant:
            words += ["exercise", "depression", "trial"] * 3
            labels.append(1)
        else:
            labels.append(0)
        texts.append(" ".join(words))
    return texts, labels


def test_the_switch_follows_the_last_find_and_the_sample_stops_before_the_end() -> None:
    texts, labels = _separable_set()
    for seed in (0, 1):
        stop = simulate(texts, labels, seed=seed).stop
        assert stop is not None
        # Every relevant record is ranked first, then 50 irrelevant ones in a row (the floor) start the sample.
        assert 80 <= stop.switched_at <= 100
        # 30 found: the test needs about 84% of the ~300 left (none relevant), far from all of them.
        assert stop.switched_at < stop.screened < 380 and stop.work_saved > 0.05
        assert stop.recall == 1.0


def test_ranked_figures_alone_skip_the_stopping_procedure(fixture_set) -> None:
    _, texts, labels = fixture_set
    full, ranked = simulate(texts, labels, seed=2), simulate(texts, labels, seed=2, stopping=False)
    assert ranked.stop is None
    assert (ranked.wss95, ranked.recall_at_10pct) == (full.wss95, full.recall_at_10pct)
