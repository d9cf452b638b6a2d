"""Searches, uploaded export files and their import into records.

The flow: upload (bytes kept) -> preview job (parse, count, problems) -> the person confirms -> import job (parse
again and store every record in one transaction). A file is imported wholly or not at all.

- searches.py: search_create, search_update, search_delete;
- files.py: search_file_upload, search_file_preview (the task's work), search_file_confirm, search_file_discard;
- encoding.py: search_file_choose_encoding, when the preview shows characters read with the wrong encoding;
- store.py: search_file_import (the task's work), records_store, record_add, search_file_record_parsed (the
  command line), and records_imported, which deduplication and the other apps follow.
"""

from django.db import transaction

from review.services.imports.encoding import search_file_choose_encoding
from review.services.imports.files import (
    MAX_STORED_PROBLEMS,
    PREVIEW_RECORDS,
    field_limits,
    search_file_confirm,
    search_file_discard,
    search_file_preview,
    search_file_upload,
)
from review.services.imports.searches import SEARCH_FIELDS, search_create, search_delete, search_update
from review.services.imports.store import (
    record_add,
    records_imported,
    records_store,
    search_file_import,
    search_file_record_parsed,
)

__all__ = [
    "MAX_STORED_PROBLEMS",
    "PREVIEW_RECORDS",
    "SEARCH_FIELDS",
    "field_limits",
    "record_add",
    "records_imported",
    "records_store",
    "search_create",
    "search_delete",
    "search_file_choose_encoding",
    "search_file_confirm",
    "search_file_discard",
    "search_file_import",
    "search_file_preview",
    "search_file_record_parsed",
    "search_file_upload",
    "search_update",
    "transaction",
]
