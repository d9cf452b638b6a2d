from django.urls import path

from charting.views import builder, extraction, reports, studies, summaries

app_name = "charting"

P = "reviews/<slug:slug>/charting/"

urlpatterns = [
    path(P, studies.charting_home, name="home"),
    path(f"{P}form/", builder.form_builder, name="form"),
    path(f"{P}form/settings/", builder.form_settings, name="form-settings"),
    path(f"{P}form/sections/", builder.section_add, name="section-add"),
    path(f"{P}form/sections/<slug:section_key>/", builder.section_edit, name="section-edit"),
    path(f"{P}form/fields/", builder.field_add, name="field-add"),
    path(f"{P}form/fields/<slug:key>/", builder.field_edit, name="field-edit"),
    path(f"{P}form/fields/<slug:key>/delete/", builder.field_delete, name="field-delete"),
    path(f"{P}form/fields/<slug:key>/move/", builder.field_move, name="field-move"),
    path(f"{P}assign/", studies.assign_pending, name="assign-pending"),
    path(f"{P}studies/<int:record_id>/assign/", studies.assign_study, name="assign-study"),
    path(f"{P}studies/<int:record_id>/", studies.study_compare, name="compare"),
    path(f"{P}studies/<int:record_id>/consensus/", studies.study_consensus, name="consensus"),
    path(f"{P}extractions/<int:extraction_id>/", extraction.extraction_screen, name="extract"),
    path(f"{P}extractions/<int:extraction_id>/save/", extraction.extraction_save, name="extract-save"),
    path(f"{P}extractions/<int:extraction_id>/submit/", extraction.extraction_submit, name="extract-submit"),
    path(f"{P}extractions/<int:extraction_id>/instance/", extraction.extraction_instance, name="extract-instance"),
    path(
        f"{P}extractions/<int:extraction_id>/instance/remove/",
        extraction.extraction_instance_remove,
        name="extract-instance-remove",
    ),
    path(f"{P}extractions/<int:extraction_id>/reassign/", studies.reassign, name="reassign"),
    path(f"{P}extractions/<int:extraction_id>/reopen/", studies.reopen, name="reopen"),
    path(f"{P}pilot/", studies.pilot, name="pilot"),
    path(f"{P}reports/", reports.study_reports, name="reports"),
    path(f"{P}summaries/", summaries.summaries, name="summaries"),
    path(f"{P}summaries/<slug:name>.<str:ext>", summaries.summary_download, name="summary-download"),
    path(f"{P}exports/", summaries.exports_page, name="exports"),
    path(f"{P}exports/<slug:kind>.csv", summaries.export_csv, name="export"),
]
