"""Agreement statistics against hand-computed values."""

from __future__ import annotations

import pytest

from screening.agreement import cohen_kappa, fleiss_kappa


def test_cohen_kappa_hand_computed_two_categories():
    # 10 records: both include 4, both exclude 3, A include/B exclude 2, A exclude/B include 1.
    # po = 7/10; A: 6 inc, 4 exc; B: 5 inc, 5 exc; pe = (6*5 + 4*5)/100 = 0.5; kappa = (0.7-0.5)/0.5 = 0.4
    pairs = [("i", "i")] * 4 + [("e", "e")] * 3 + [("i", "e")] * 2 + [("e", "i")]
    result = cohen_kappa(pairs)
    assert result.n == 10
    assert result.percent == pytest.approx(70.0)
    assert result.kappa == pytest.approx(0.4)


def test_cohen_kappa_hand_computed_three_categories():
    # po = 3/6; A: i2 e2 m2; B: i2 e3 m1; pe = (2*2 + 2*3 + 2*1)/36 = 1/3; kappa = (1/2 - 1/3)/(2/3) = 0.25
    result = cohen_kappa([("i", "i"), ("i", "m"), ("e", "e"), ("e", "e"), ("m", "e"), ("m", "i")])
    assert result.percent == pytest.approx(50.0)
    assert result.kappa == pytest.approx(0.25)


def test_cohen_kappa_perfect_agreement_with_one_category_is_undefined():
    result = cohen_kappa([("i", "i")] * 3)
    assert result.percent == 100.0 and result.kappa is None


def test_cohen_kappa_without_records():
    assert cohen_kappa([]).n == 0 and cohen_kappa([]).kappa is None


def test_fleiss_kappa_hand_computed():
    # 4 records, 3 raters each: [i,i,i] [i,i,e] [e,e,e] [i,e,e]
    # P_i: 1, 1/3, 1, 1/3 -> P_bar = 2/3; p_i = 6/12 = .5, p_e = .5 -> Pe = .5; kappa = (2/3 - .5)/.5 = 1/3
    ratings = [["i", "i", "i"], ["i", "i", "e"], ["e", "e", "e"], ["i", "e", "e"]]
    result = fleiss_kappa(ratings)
    assert result.n == 4
    assert result.kappa == pytest.approx(1 / 3)
    assert result.percent == pytest.approx(200 / 3)


def test_fleiss_kappa_leaves_out_records_with_another_number_of_ratings():
    ratings = [["i", "i", "i"], ["i", "i", "e"], ["e", "e", "e"], ["i", "e", "e"], ["i", "e"]]
    assert fleiss_kappa(ratings).n == 4


def test_fleiss_kappa_equals_scotts_pi_for_two_raters():
    # With two raters Fleiss' kappa is Scott's pi: pooled marginals. [i,i] [e,e] [i,e] [i,i]
    # po = 3/4; pooled p_i = 5/8, p_e = 3/8; pe = 25/64 + 9/64 = 34/64; kappa = (48/64 - 34/64)/(30/64) = 14/30
    result = fleiss_kappa([["i", "i"], ["e", "e"], ["i", "e"], ["i", "i"]])
    assert result.kappa == pytest.approx(14 / 30)
