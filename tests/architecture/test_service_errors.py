"""One mapping of ServiceError codes to HTTP statuses, used by every API view through the error handler."""

from __future__ import annotations

import pytest

from review.api.errors import exception_handler
from review.errors import ServiceError


@pytest.mark.parametrize(
    ("code", "status"),
    [("invalid", 400), ("forbidden", 403), ("not_found", 404), ("conflict", 409), ("too_large", 413), ("odd", 400)],
)
def test_service_error_codes_map_to_one_status_each(code, status):
    response = exception_handler(ServiceError("Not now", field="text", code=code), {})
    assert response is not None
    assert response.status_code == status
    assert response.data == {"error": {"code": code, "message": "Not now", "fields": {"text": ["Not now"]}}}
