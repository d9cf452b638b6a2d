"""REST API for charting: forms, extractions, consensus, studies and summaries.

Same services, selectors and access functions as the pages; `urls.py` maps them under /api/v1/."""
