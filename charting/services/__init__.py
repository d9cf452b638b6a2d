"""Writes for charting: forms and their versions, extractions, consensus."""

from charting.services.consensus import consensus_seed_agreements, consensus_set
from charting.services.extraction import (
    ExtractionIncomplete,
    SaveResult,
    extraction_assign,
    extraction_reassign,
    extraction_remove_instance,
    extraction_reopen,
    extraction_save_draft,
    extraction_submit,
    extractions_assign_pending,
    pilot_assign,
)
from charting.services.forms import (
    field_add,
    field_delete,
    field_move,
    field_update,
    form_create,
    form_definition,
    form_update_settings,
    section_add,
    section_delete,
    section_update,
)
from charting.services.studies import study_link_report, study_suggestion_dismiss

__all__ = [
    "ExtractionIncomplete",
    "SaveResult",
    "consensus_seed_agreements",
    "consensus_set",
    "extraction_assign",
    "extraction_reassign",
    "extraction_remove_instance",
    "extraction_reopen",
    "extraction_save_draft",
    "extraction_submit",
    "extractions_assign_pending",
    "field_add",
    "field_delete",
    "field_move",
    "field_update",
    "form_create",
    "form_definition",
    "form_update_settings",
    "pilot_assign",
    "section_add",
    "section_delete",
    "section_update",
    "study_link_report",
    "study_suggestion_dismiss",
]
