"""The screening fixtures (records, reasons, votes through the service) for the security tests."""

from tests.screening.conftest import at_full_text, reasons, record, records, reviewer3, vote  # noqa: F401
