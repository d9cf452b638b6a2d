"""The review app's REST API: one module per area, wired in `urls.py`; errors keep one shape (`errors.py`)."""
