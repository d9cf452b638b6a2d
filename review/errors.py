from __future__ import annotations

# The one mapping of a ServiceError's code to an HTTP status, used by the API's error handler and the pages.
# Codes not listed here are a request the person can correct: 400.
HTTP_STATUS_BY_CODE = {
    "invalid": 400,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "throttled": 429,
}


class ServiceError(Exception):
    """A request that breaks a rule of the domain; the message is shown to the person as it is."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    @property
    def http_status(self) -> int:
        return HTTP_STATUS_BY_CODE.get(self.code, 400)
