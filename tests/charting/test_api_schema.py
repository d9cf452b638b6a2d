"""The summaries API is described by its schema: each answer has exactly the properties its component lists."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.charting.conftest import submit

BASE = "/api/v1/reviews/tl-clinical/charting/summaries"


@pytest.fixture
def api_as(api_clients):
    return api_clients


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _component(schema, path: str) -> dict:
    ref = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_summaries_answers_match_their_schema_components(api_as, viewer, pair, schema, db):
    submit(pair[0])
    submit(pair[1])
    client = api_as(viewer)
    prefix = "/api/v1/reviews/{review}/charting/summaries/"
    answers = {
        "": client.get(f"{BASE}/").json(),
        "crosstab/": client.get(f"{BASE}/crosstab/?row=target_data_type&col=specialty").json(),
        "sankey/": client.get(f"{BASE}/sankey/?source=source_data_type&target=target_data_type").json(),
        "publications/": client.get(f"{BASE}/publications/?by=quarter").json(),
    }
    for suffix, body in answers.items():
        component = _component(schema, prefix + suffix)
        assert set(body) == set(component["properties"]), suffix
    kinds = schema["components"]["schemas"]["FieldSummary"]["discriminator"]["mapping"]
    seen = set()
    for field in answers[""]["fields"]:
        name = kinds[field["kind"]].rsplit("/", 1)[1]
        assert set(field) == set(schema["components"]["schemas"][name]["properties"]), field["key"]
        seen.add(field["kind"])
    assert seen == {"categorical", "numeric", "text"}
