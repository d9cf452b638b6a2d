"""Every POST of the charting pages with a missing, non-numeric or unknown value: never a 500, nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from charting.models import ConsensusValue, Extraction, ExtractionValue, Field, Section
from review.models import AuditEvent, Record
from tests.charting.conftest import submit

SLUG = "tl-clinical"


def url(name, *args):
    return reverse(f"charting:{name}", args=[SLUG, *args])


def _snapshot() -> tuple:
    return (
        AuditEvent.objects.count(),
        tuple(Extraction.objects.order_by("pk").values_list("pk", "extractor_id", "status", "round")),
        ExtractionValue.objects.count(),
        ConsensusValue.objects.count(),
        tuple(Field.objects.order_by("pk").values_list("pk", "key", "position")),
        tuple(Section.objects.order_by("pk").values_list("pk", "title", "repeating")),
        tuple(Record.objects.order_by("pk").values_list("pk", "report_of_id")),
    )


def _refused(client, path: str, data: dict, *, htmx: bool = False) -> int:
    before = _snapshot()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(path, data, **headers)
    assert response.status_code < 500
    assert _snapshot() == before, f"{path} {data} wrote something"
    return response.status_code


CONSENSUS = [
    {},
    {"field": ""},
    {"field": "no-such-field", "c-no-such-field": "1"},
    {"field": "sample_size", "extraction": "abc"},
    {"field": "sample_size", "extraction": "1.5"},
    {"field": "sample_size", "extraction": "-2"},
    {"field": "sample_size", "extraction": "999999"},
    {"field": "sample_size", "instance": "x", "c-sample_size": "5"},
    {"field": "sample_size", "instance": "-1", "c-sample_size": "5"},
    {"field": "sample_size", "c-sample_size": "many"},
    {"field": "sample_size", "c-sample_size": "5", "note": "n" * 600},
]


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("data", CONSENSUS)
def test_consensus_bad_post_writes_nothing(as_lead, pair, data, htmx):
    submit(pair[0])
    submit(pair[1])
    status = _refused(as_lead, url("consensus", pair[0].record_id), data, htmx=htmx)
    assert status in (302, 400, 404)  # a rule the service refuses comes back as a message on the redirected page


def test_consensus_non_numeric_extraction_is_a_400_not_a_500(as_lead, pair):
    submit(pair[0])
    submit(pair[1])
    response = as_lead.post(url("consensus", pair[0].record_id), {"field": "sample_size", "extraction": "abc"})
    assert response.status_code == 400 and "Enter a whole number" in response.content.decode()


def test_consensus_from_an_unknown_extraction_is_404(as_lead, pair):
    submit(pair[0])
    submit(pair[1])
    assert _refused(as_lead, url("consensus", pair[0].record_id), {"field": "aim", "extraction": "0"}) == 400
    assert _refused(as_lead, url("consensus", pair[0].record_id), {"field": "aim", "extraction": "424242"}) == 404


@pytest.mark.parametrize("data", [{"extractors": "abc"}, {"extractors": "999999"}, {"extractors": ["", "1.5"]}])
def test_assignment_bad_post_writes_nothing(as_lead, form, studies, data):
    assert _refused(as_lead, url("assign-study", studies[0].pk), data) == 302
    assert _refused(as_lead, url("assign-pending"), data) == 302


@pytest.mark.parametrize("data", [{}, {"extractor": ""}, {"extractor": "abc"}, {"extractor": "999999"}])
def test_reassign_bad_post_writes_nothing(as_lead, pair, data):
    assert _refused(as_lead, url("reassign", pair[0].pk), data) == 302


@pytest.mark.parametrize(
    "data",
    [
        {"records": "abc", "extractors": "{reviewer}"},
        {"records": "999999", "extractors": "{reviewer}"},
        {"records": "x"},
    ],
)
def test_pilot_bad_post_writes_nothing(as_lead, form, studies, reviewer, data):
    data = {key: value.replace("{reviewer}", str(reviewer.pk)) for key, value in data.items()}
    assert _refused(as_lead, url("pilot"), data) == 302


@pytest.mark.parametrize("data", [{}, {"remove": ""}, {"remove": "abc"}, {"remove": "models:x"}, {"remove": ":1"}])
def test_instance_remove_bad_post_writes_nothing(as_reviewer, pair, data):
    assert _refused(as_reviewer, url("extract-instance-remove", pair[0].pk), data) == 302


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "explode", "report": "{a}", "study": "{b}"},
        {"action": "link", "report": "abc", "study": "{b}"},
        {"action": "link", "report": "{a}", "study": "999999"},
        {"action": "link", "report": "{a}"},
        {"action": "dismiss", "report": "{a}"},
        {"action": "unlink"},
    ],
)
def test_reports_bad_post_writes_nothing(as_lead, form, studies, data):
    a, b = studies[0].pk, studies[1].pk
    data = {key: value.replace("{a}", str(a)).replace("{b}", str(b)) for key, value in data.items()}
    assert _refused(as_lead, url("reports"), data) == 400


@pytest.mark.parametrize("data", [{}, {"direction": "sideways"}, {"direction": ""}])
def test_field_move_bad_post_writes_nothing(as_lead, form, data):
    assert _refused(as_lead, url("field-move", "aim"), data) == 400


def test_section_edit_bad_post_writes_nothing(as_lead, form):
    assert _refused(as_lead, url("section-edit", "study"), {"title": "t" * 300}) == 400


@pytest.mark.parametrize("data", [{}, {"confirm": "maybe"}, {"confirm": "0"}])
def test_field_delete_of_a_field_with_data_needs_the_pages_confirmation(as_lead, pair, data):
    submit(pair[0])
    assert _refused(as_lead, url("field-delete", "aim"), data) == 409
