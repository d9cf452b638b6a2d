"""The ranker: random-with-seed until both classes are labelled, then relevant records first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from screening.ranking.model import Ranker, rank_order, record_text, vectorise
from screening.ranking.simulate import read_dataset

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "screening" / "exercise_depression.csv"


@pytest.fixture(scope="module")
def fixture_set() -> tuple[list[str], list[int]]:
    _, texts, labels = read_dataset(FIXTURE)
    return texts, labels


def test_record_text_joins_title_abstract_keywords_and_skips_blanks() -> None:
    assert record_text(" Tai chi ", "An abstract.", ["exercise", " ", "aged"]) == (
        "Tai chi\nAn abstract.\nexercise; aged"
    )
    assert record_text("Only a title", "") == "Only a title"
    assert record_text("", "") == ""


def test_rank_order_without_labels_is_random_but_reproducible(fixture_set) -> None:
    texts, _ = fixture_set
    first = rank_order(texts, {}, seed=3)
    assert first == rank_order(texts, {}, seed=3)
    assert first != rank_order(texts, {}, seed=4)
    assert sorted(first) == list(range(len(texts)))
    assert first != list(range(len(texts)))


def test_rank_order_with_one_class_only_is_random_with_the_seed(fixture_set) -> None:
    texts, labels = fixture_set
    relevant = [i for i, label in enumerate(labels) if label == 1][:3]
    only_relevant = {i: 1 for i in relevant}
    order = rank_order(texts, only_relevant, seed=1)
    assert order == rank_order(texts, only_relevant, seed=1)
    assert order != rank_order(texts, only_relevant, seed=2)
    assert sorted(order) == sorted(set(range(len(texts))) - set(relevant))


def test_ranker_puts_relevant_records_first_after_one_label_of_each_class(fixture_set) -> None:
    texts, labels = fixture_set
    relevant = [i for i, label in enumerate(labels) if label == 1]
    irrelevant = [i for i, label in enumerate(labels) if label == 0]
    known = {relevant[0]: 1, irrelevant[0]: 0}
    order = rank_order(texts, known, seed=0)
    remaining = len(relevant) - 1
    top = order[:remaining]
    # Random order would put about remaining * remaining / 118 (about one) relevant record in the top.
    assert sum(labels[i] for i in top) >= remaining - 2
    assert set(order).isdisjoint(known)


def test_ranker_scores_lie_in_unit_interval_and_rank_relevant_higher(fixture_set) -> None:
    texts, labels = fixture_set
    truth = np.array(labels)
    known = {int(np.flatnonzero(truth == 1)[0]): 1, int(np.flatnonzero(truth == 0)[0]): 0}
    scores = Ranker(seed=0).fit(texts, known).scores()
    assert scores.shape == (len(texts),)
    assert np.all((scores >= 0) & (scores <= 1))
    assert scores[truth == 1].mean() > scores[truth == 0].mean()


def test_ranker_gives_the_same_scores_with_precomputed_features(fixture_set) -> None:
    texts, labels = fixture_set
    known = {i: labels[i] for i in range(0, len(texts), 4)}
    plain = Ranker(seed=5).fit(texts, known).scores()
    precomputed = Ranker(seed=5).fit(texts, known, features=vectorise(texts)).scores()
    np.testing.assert_allclose(plain, precomputed)


def test_ranker_is_deterministic_for_a_seed(fixture_set) -> None:
    texts, labels = fixture_set
    known = {i: labels[i] for i in range(0, len(texts), 3)}
    np.testing.assert_array_equal(Ranker(seed=2).fit(texts, known).scores(), Ranker(seed=2).fit(texts, known).scores())


def test_ranker_refits_when_the_texts_change(fixture_set) -> None:
    texts, labels = fixture_set
    ranker = Ranker(seed=0)
    known = {i: labels[i] for i in range(0, len(texts), 3)}
    ranker.fit(texts, known)
    shorter = texts[:30]
    scores = ranker.fit(shorter, {i: v for i, v in known.items() if i < 30}).scores()
    assert scores.shape == (30,)


def test_records_without_abstract_or_any_text_can_be_ranked() -> None:
    texts = ["", "", "   ", ""]
    order = rank_order(texts, {0: 1, 1: 0}, seed=0)
    assert sorted(order) == [2, 3]
    scores = Ranker(seed=0).fit(texts, {0: 1, 1: 0}).scores()
    assert np.all((scores >= 0) & (scores <= 1))


def test_titles_only_set_is_ranked_by_title_words() -> None:
    texts = [
        record_text("Tai chi for depression in older adults", ""),
        record_text("Statins and heart failure", ""),
        record_text("Walking programme for depression in older adults", ""),
        record_text("Statins and atrial fibrillation", ""),
    ]
    assert rank_order(texts, {0: 1, 1: 0}, seed=0) == [2, 3]


def test_a_single_record() -> None:
    assert rank_order(["Only record"], {}, seed=0) == [0]
    assert rank_order(["Only record"], {0: 1}, seed=0) == []
    assert Ranker(seed=0).fit(["Only record"], {}).scores().shape == (1,)


def test_no_records() -> None:
    assert rank_order([], {}, seed=0) == []


def test_labels_must_name_a_record_and_be_zero_or_one() -> None:
    with pytest.raises(ValueError, match="index 5"):
        Ranker().fit(["a", "b"], {5: 1})
    with pytest.raises(ValueError, match="0 or 1"):
        Ranker().fit(["a", "b"], {0: 2})


def test_precomputed_features_must_match_the_texts() -> None:
    with pytest.raises(ValueError, match="rows"):
        Ranker().fit(["a b", "c d", "e f"], {0: 1, 1: 0}, features=vectorise(["a b", "c d"]))


def test_scores_before_fit_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        Ranker().scores()


def test_rank_order_accepts_a_precomputed_matrix(fixture_set) -> None:
    texts, labels = fixture_set
    known = {labels.index(1): 1, labels.index(0): 0}
    assert rank_order(texts, known, seed=0, features=vectorise(texts)) == rank_order(texts, known, seed=0)
