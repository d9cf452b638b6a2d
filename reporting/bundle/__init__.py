"""The review bundle: one zip with every export, the raw search files and the review's rows as JSON Lines, which
`manage.py import_bundle` loads into another instance (see `write.py` and `read.py`)."""
