"""REST API for reporting: PRISMA counts, diagram and records behind each box, exports, outside counts.

Same selectors and access function as the pages; `urls.py` maps them under /api/v1/."""
