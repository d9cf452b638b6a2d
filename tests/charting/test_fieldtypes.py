"""Validation of every field type: what is accepted, its canonical stored form, and the messages for bad input."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from charting.fieldtypes import FieldValueError, clean_value, condition_met, display_value
from charting.keys import ChoiceLinesError, choice_entries, make_key, parse_choice_lines


@dataclass
class Spec:
    type: str
    key: str = "f"
    label: str = "F"
    required: bool = False
    unit: str = ""
    choices: list = field(default_factory=list)
    allow_other: bool = False
    condition_key: str = ""
    condition_value: str = ""


ARCH = choice_entries(["CNN", "RNN", "Transformer"])


@pytest.mark.parametrize(
    ("spec", "raw", "expected"),
    [
        (Spec("short_text"), "  PhysioNet ", "PhysioNet"),
        (Spec("short_text"), "   ", None),
        (Spec("long_text"), "line one\nline two", "line one\nline two"),
        (Spec("integer"), "120", 120),
        (Spec("integer"), 7, 7),
        (Spec("integer"), "-3", -3),
        (Spec("decimal", unit="kg"), "12.50", "12.50"),
        (Spec("decimal"), "3,5", "3.5"),
        (Spec("decimal"), 2, "2"),
        (Spec("yes_no"), "Yes", "yes"),
        (Spec("yes_no"), "unclear", "unclear"),
        (Spec("yes_no"), False, "no"),
        (Spec("single", choices=ARCH), "cnn", {"choice": "cnn"}),
        (Spec("single", choices=ARCH), {"choice": "rnn"}, {"choice": "rnn"}),
        (
            Spec("single", choices=ARCH, allow_other=True),
            {"choice": "other", "other": "ViT"},
            {"choice": "other", "other": "ViT"},
        ),
        (Spec("multiple", choices=ARCH), ["transformer", "cnn"], {"choices": ["cnn", "transformer"]}),
        (Spec("multiple", choices=ARCH), [], None),
        (
            Spec("multiple", choices=ARCH, allow_other=True),
            {"choices": ["rnn"], "other": "GRU"},
            {"choices": ["rnn"], "other": "GRU"},
        ),
        (Spec("multiple", choices=ARCH, allow_other=True), ["other", "cnn"], "error"),
        (Spec("date"), "2021-03-04", "2021-03-04"),
        (Spec("year"), "2019", 2019),
        (Spec("country"), "Germany", "DE"),
        (Spec("country"), "de", "DE"),
        (Spec("url"), "https://github.com/x/y", "https://github.com/x/y"),
    ],
)
def test_clean_value_accepts_and_canonicalises(spec, raw, expected):
    if expected == "error":
        with pytest.raises(FieldValueError):
            clean_value(spec, raw)
    else:
        assert clean_value(spec, raw) == expected


@pytest.mark.parametrize(
    ("spec", "raw", "message"),
    [
        (Spec("short_text"), "x" * 501, "under 500"),
        (Spec("integer"), "12.5", "whole number"),
        (Spec("integer"), "twelve", "whole number"),
        (Spec("integer"), True, "whole number"),
        (Spec("decimal"), "1.2.3", "number"),
        (Spec("decimal"), "NaN", "finite"),
        (Spec("yes_no"), "maybe", "yes, no or unclear"),
        (Spec("single", choices=ARCH), "lstm", "not one of the options"),
        (Spec("single", choices=ARCH), "other", "not one of the options"),
        (Spec("single", choices=ARCH, allow_other=True), {"choice": "other"}, "Specify"),
        (Spec("multiple", choices=ARCH), ["cnn", "gru"], "not one of the options"),
        (Spec("multiple", choices=ARCH), "cnn", "any number"),
        (Spec("multiple", choices=ARCH), {"choices": [], "other": "GRU"}, "no 'Other'"),
        (Spec("date"), "04/03/2021", "YYYY-MM-DD"),
        (Spec("date"), "2021-02-30", "YYYY-MM-DD"),
        (Spec("year"), "21", "between 1800 and 2100"),
        (Spec("year"), "20x1", "four-digit year"),
        (Spec("country"), "Atlantis", "country from the list"),
        (Spec("url"), "github.com/x", "http"),
        (Spec("url"), "javascript:alert(1)", "http"),
    ],
)
def test_clean_value_rejects_with_a_precise_message(spec, raw, message):
    with pytest.raises(FieldValueError) as error:
        clean_value(spec, raw)
    assert message in error.value.message


def test_display_value_uses_labels_units_and_country_names():
    assert display_value(Spec("multiple", choices=ARCH, allow_other=True), {"choices": ["cnn"], "other": "GRU"}) == (
        "CNN; Other: GRU"
    )
    assert display_value(Spec("decimal", unit="ms"), "2.5") == "2.5 ms"
    assert display_value(Spec("country"), "CI") == "Côte d'Ivoire"
    assert display_value(Spec("yes_no"), None) == ""


def test_condition_met_for_yes_no_and_multiple_parents():
    child = Spec("short_text", condition_key="p", condition_value="yes")
    assert condition_met(child, Spec("yes_no", key="p"), "yes")
    assert not condition_met(child, Spec("yes_no", key="p"), "no")
    assert not condition_met(child, Spec("yes_no", key="p"), None)
    other_child = Spec("short_text", condition_key="p", condition_value="rnn")
    assert condition_met(other_child, Spec("multiple", key="p", choices=ARCH), {"choices": ["cnn", "rnn"]})
    assert condition_met(child, None, None)  # the parent was removed: show the field


def test_keys_are_r_safe_and_unique():
    assert make_key("Type of transfer (fine-tuning?)") == "type_of_transfer_fine_tuning"
    assert make_key("2nd author", fallback="field") == "field_2nd_author"
    assert make_key("Aim", ["aim"]) == "aim_2"
    assert [e["value"] for e in choice_entries(["Other", "Other"])] == ["other_2", "other_3"]


def test_choice_lines_keep_codes_when_labels_are_reworded():
    existing = [{"value": "cnn", "label": "CNN"}]
    entries = parse_choice_lines("cnn = Convolutional network\nRNN\n\n", existing)
    assert entries == [{"value": "cnn", "label": "Convolutional network"}, {"value": "rnn", "label": "RNN"}]
    assert parse_choice_lines("CNN", existing) == existing
    with pytest.raises(ChoiceLinesError):
        parse_choice_lines("other = Other", [])
