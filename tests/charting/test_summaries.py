"""Summaries checked against numbers computed by hand, and the SVG charts' escaping."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from charting.keys import choice_entries
from charting.summaries import (
    Study,
    categorical_summary,
    crosstab,
    month_from_raw,
    numeric_summary,
    publications_per_period,
    sankey_links,
)
from charting.svg import bar_chart, column_chart, sankey
from tests.charting.test_fieldtypes import Spec

ARCH = Spec("multiple", key="arch", label="Architecture", choices=choice_entries(["CNN", "RNN"]), allow_other=True)
TARGET = Spec("single", key="target", label="Target", choices=choice_entries(["Time series", "Tabular", "Text"]))
SPECIALTY = Spec("single", key="spec", label="Specialty", choices=choice_entries(["Cardiology", "Neurology"]))
SIZE = Spec("integer", key="n", label="Patients")


def test_numeric_summary_matches_hand_computation():
    s = numeric_summary(SIZE, [10, 20, 30, 40, None])
    assert (s.n, s.missing) == (4, 1)
    assert s.mean == 25 and s.median == 25
    assert math.isclose(s.sd, math.sqrt(500 / 3))  # sample SD: squared deviations 225+25+25+225 over n-1 = 3
    assert (s.q1, s.q3) == (17.5, 32.5)  # R's quantile() type 7: 10 + 0.75 * 10 and 30 + 0.25 * 10
    assert (s.minimum, s.maximum) == (10, 40)


def test_numeric_summary_of_one_value_and_of_none():
    one = numeric_summary(SIZE, [7])
    assert (one.n, one.mean, one.sd, one.q1, one.q3) == (1, 7, None, 7, 7)
    empty = numeric_summary(SIZE, [None, None])
    assert (empty.n, empty.missing, empty.mean) == (0, 2, None)


def test_decimal_values_are_summarised_as_numbers():
    s = numeric_summary(Spec("decimal", unit="ms"), ["1.5", "2.5"])
    assert (s.mean, s.minimum, s.maximum) == (2.0, 1.5, 2.5)


def test_single_choice_frequencies_use_answered_studies_as_denominator():
    s = categorical_summary(TARGET, [{"choice": "time_series"}, {"choice": "time_series"}, {"choice": "tabular"}, None])
    assert (s.answered, s.missing, s.total) == (3, 1, 4)
    assert [(r.value, r.n, r.percent) for r in s.rows] == [
        ("time_series", 2, 66.7),
        ("tabular", 1, 33.3),
        ("text", 0, 0.0),
    ]


def test_multiple_choice_counts_each_option_over_the_same_denominator():
    values = [{"choices": ["cnn", "rnn"]}, {"choices": ["cnn"]}, {"choices": [], "other": "GRU"}, None]
    s = categorical_summary(ARCH, values)
    assert s.multiple and (s.answered, s.missing) == (3, 1)
    assert [(r.value, r.n, r.percent) for r in s.rows] == [("cnn", 2, 66.7), ("rnn", 1, 33.3), ("other", 1, 33.3)]


def test_yes_no_and_country_frequencies():
    yn = categorical_summary(Spec("yes_no"), ["yes", "no", "yes", "unclear"])
    assert [(r.label, r.n) for r in yn.rows] == [("Yes", 2), ("No", 1), ("Unclear", 1)]
    country = categorical_summary(Spec("country"), ["DE", "FR", "DE"])
    assert [(r.label, r.n, r.percent) for r in country.rows] == [("Germany", 2, 66.7), ("France", 1, 33.3)]


STUDIES = [
    Study(
        1,
        "Smith 2018",
        {"target": {"choice": "time_series"}, "spec": {"choice": "cardiology"}, "arch": {"choices": ["cnn", "rnn"]}},
    ),
    Study(
        2,
        "Lee 2019",
        {"target": {"choice": "time_series"}, "spec": {"choice": "neurology"}, "arch": {"choices": ["cnn"]}},
    ),
    Study(3, "Kim 2020", {"target": {"choice": "tabular"}, "spec": {"choice": "cardiology"}}),
    Study(4, "Ng 2021", {"spec": {"choice": "cardiology"}}),
]


def test_crosstab_lists_studies_in_each_cell_with_missing_row():
    table = crosstab(TARGET, SPECIALTY, STUDIES)
    assert [label for _v, label in table.rows] == ["Time series", "Tabular", "Text", "Not reported"]
    assert table.cells[("time_series", "cardiology")] == ["Smith 2018"]
    assert table.cells[("time_series", "neurology")] == ["Lee 2019"]
    assert table.cells[("", "cardiology")] == ["Ng 2021"]
    assert table.row_total("time_series") == 2 and table.col_total("cardiology") == 3


def test_crosstab_with_multiple_choice_puts_a_study_in_each_option():
    table = crosstab(ARCH, SPECIALTY, STUDIES)
    assert table.cells[("cnn", "cardiology")] == ["Smith 2018"] and table.cells[("rnn", "cardiology")] == ["Smith 2018"]
    assert table.col_total("cardiology") == 4  # Smith twice (CNN, RNN), Kim and Ng not reported


def test_sankey_links_count_studies_with_both_fields():
    links = sankey_links(TARGET, SPECIALTY, STUDIES)
    assert [(link.source, link.target, link.n) for link in links] == [
        ("Tabular", "Cardiology", 1),
        ("Time series", "Cardiology", 1),
        ("Time series", "Neurology", 1),
    ]


@pytest.mark.parametrize(
    ("raw", "month"),
    [
        ([["DA", "2020/03/15"]], 3),
        ([["DP", "2019 Nov 2"]], 11),
        ([["PD", "MAR 2020"]], 3),
        ([["PY", "2020"]], None),
        ([["TI", "March of the penguins"]], None),
        ([], None),
    ],
)
def test_month_from_raw_date_tags(raw, month):
    assert month_from_raw(raw) == month


def test_publications_per_year_fill_gaps_and_count_unknown():
    periods = publications_per_period([(2018, None), (2018, 5), (2020, 1), (None, None)], by="year")
    assert periods == [("2018", 2), ("2019", 0), ("2020", 1), ("Year unknown", 1)]


def test_publications_per_quarter():
    periods = publications_per_period([(2020, 2), (2020, 3), (2020, 11), (2020, None)], by="quarter")
    assert periods == [("2020 Q1", 2), ("2020 Q2", 0), ("2020 Q3", 0), ("2020 Q4", 1), ("2020, quarter unknown", 1)]


def test_svg_charts_are_well_formed_and_escape_labels():
    hostile = '<script>alert("x")</script> & co'
    for chart in (
        bar_chart(hostile, [(hostile, 3), ("B", 1)], note="n = 4"),
        column_chart(hostile, [("2020", 2), ("2021", 0)]),
        sankey(hostile, sankey_links(TARGET, SPECIALTY, STUDIES), source_label=hostile, target_label="T"),
    ):
        root = ET.fromstring(chart)  # noqa: S314 (our own output) parses: the markup is well formed
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "<script>" not in chart and "&lt;script&gt;" in chart
        assert not root.findall(".//{http://www.w3.org/2000/svg}script")


def test_sankey_band_widths_are_proportional_to_counts():
    chart = sankey("T", sankey_links(TARGET, SPECIALTY, STUDIES), source_label="S", target_label="T")
    root = ET.fromstring(chart)  # noqa: S314 (our own output)
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "Time series → Cardiology: 1" in titles and "Tabular → Cardiology: 1" in titles
