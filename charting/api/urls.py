from django.urls import path

from charting import api, api_assign, api_builder, api_reports, api_summaries

R = "reviews/<slug:review>/"

urlpatterns = [
    path(f"{R}forms/", api.FormListCreate.as_view(), name="api-charting-forms"),
    path(f"{R}forms/<int:form_id>/", api_builder.FormDetail.as_view(), name="api-charting-form"),
    path(f"{R}forms/<int:form_id>/versions/", api.FormVersions.as_view(), name="api-charting-versions"),
    path(
        f"{R}forms/<int:form_id>/versions/<int:number>/",
        api.FormVersionDetail.as_view(),
        name="api-charting-version",
    ),
    path(f"{R}forms/<int:form_id>/sections/", api_builder.SectionCreate.as_view(), name="api-charting-sections"),
    path(
        f"{R}forms/<int:form_id>/sections/<slug:section_key>/",
        api_builder.SectionDetail.as_view(),
        name="api-charting-section",
    ),
    path(f"{R}forms/<int:form_id>/fields/", api_builder.FieldCreate.as_view(), name="api-charting-fields"),
    path(f"{R}forms/<int:form_id>/fields/<slug:key>/", api_builder.FieldDetail.as_view(), name="api-charting-field"),
    path(
        f"{R}forms/<int:form_id>/fields/<slug:key>/move/",
        api_builder.FieldMove.as_view(),
        name="api-charting-field-move",
    ),
    path(f"{R}charting/assignments/", api_assign.Assignments.as_view(), name="api-charting-assignments"),
    path(f"{R}charting/pilot/", api_assign.Pilot.as_view(), name="api-charting-pilot"),
    path(f"{R}charting/studies/", api_reports.Studies.as_view(), name="api-charting-studies"),
    path(
        f"{R}charting/report-suggestions/",
        api_reports.ReportSuggestions.as_view(),
        name="api-charting-report-suggestions",
    ),
    path(
        f"{R}charting/report-suggestions/dismiss/",
        api_reports.ReportSuggestionDismiss.as_view(),
        name="api-charting-report-suggestion-dismiss",
    ),
    path(f"{R}studies/<int:record_id>/assign/", api_assign.StudyAssign.as_view(), name="api-study-assign"),
    path(f"{R}extractions/", api.ExtractionList.as_view(), name="api-extractions"),
    path(f"{R}extractions/<int:extraction_id>/", api.ExtractionDetail.as_view(), name="api-extraction"),
    path(f"{R}extractions/<int:extraction_id>/submit/", api.ExtractionSubmit.as_view(), name="api-extraction-submit"),
    path(
        f"{R}extractions/<int:extraction_id>/instances/remove/",
        api.ExtractionInstanceRemove.as_view(),
        name="api-extraction-instance-remove",
    ),
    path(f"{R}extractions/<int:extraction_id>/reopen/", api.ExtractionReopen.as_view(), name="api-extraction-reopen"),
    path(
        f"{R}extractions/<int:extraction_id>/reassign/",
        api_assign.ExtractionReassign.as_view(),
        name="api-extraction-reassign",
    ),
    path(f"{R}studies/<int:record_id>/comparison/", api.Comparison.as_view(), name="api-comparison"),
    path(f"{R}studies/<int:record_id>/consensus/", api.Consensus.as_view(), name="api-consensus"),
    path(f"{R}charting/summaries/", api_summaries.Summaries.as_view(), name="api-summaries"),
    path(f"{R}charting/summaries/crosstab/", api_summaries.Crosstab.as_view(), name="api-crosstab"),
    path(f"{R}charting/summaries/sankey/", api_summaries.Sankey.as_view(), name="api-sankey"),
    path(f"{R}charting/summaries/publications/", api_summaries.Publications.as_view(), name="api-publications"),
    path(
        f"{R}charting/summaries/<slug:name>.<str:ext>",
        api_summaries.SummaryDownload.as_view(),
        name="api-summary-download",
    ),
    path(f"{R}charting/exports/<slug:kind>.csv", api_summaries.ExportCsv.as_view(), name="api-charting-export"),
]
