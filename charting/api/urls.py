from django.urls import path

from charting.api import assign, builder, extractions, reports, summaries

R = "reviews/<slug:review>/"

urlpatterns = [
    path(f"{R}forms/", extractions.FormListCreate.as_view(), name="api-charting-forms"),
    path(f"{R}forms/<int:form_id>/", builder.FormDetail.as_view(), name="api-charting-form"),
    path(f"{R}forms/<int:form_id>/versions/", extractions.FormVersions.as_view(), name="api-charting-versions"),
    path(
        f"{R}forms/<int:form_id>/versions/<int:number>/",
        extractions.FormVersionDetail.as_view(),
        name="api-charting-version",
    ),
    path(f"{R}forms/<int:form_id>/sections/", builder.SectionCreate.as_view(), name="api-charting-sections"),
    path(
        f"{R}forms/<int:form_id>/sections/<slug:section_key>/",
        builder.SectionDetail.as_view(),
        name="api-charting-section",
    ),
    path(f"{R}forms/<int:form_id>/fields/", builder.FieldCreate.as_view(), name="api-charting-fields"),
    path(f"{R}forms/<int:form_id>/fields/<slug:key>/", builder.FieldDetail.as_view(), name="api-charting-field"),
    path(
        f"{R}forms/<int:form_id>/fields/<slug:key>/move/",
        builder.FieldMove.as_view(),
        name="api-charting-field-move",
    ),
    path(f"{R}charting/assignments/", assign.Assignments.as_view(), name="api-charting-assignments"),
    path(f"{R}charting/pilot/", assign.Pilot.as_view(), name="api-charting-pilot"),
    path(f"{R}charting/studies/", reports.Studies.as_view(), name="api-charting-studies"),
    path(
        f"{R}charting/report-suggestions/",
        reports.ReportSuggestions.as_view(),
        name="api-charting-report-suggestions",
    ),
    path(
        f"{R}charting/report-suggestions/dismiss/",
        reports.ReportSuggestionDismiss.as_view(),
        name="api-charting-report-suggestion-dismiss",
    ),
    path(f"{R}studies/<int:record_id>/assign/", assign.StudyAssign.as_view(), name="api-study-assign"),
    path(f"{R}extractions/", extractions.ExtractionList.as_view(), name="api-extractions"),
    path(f"{R}extractions/<int:extraction_id>/", extractions.ExtractionDetail.as_view(), name="api-extraction"),
    path(
        f"{R}extractions/<int:extraction_id>/submit/",
        extractions.ExtractionSubmit.as_view(),
        name="api-extraction-submit",
    ),
    path(
        f"{R}extractions/<int:extraction_id>/instances/remove/",
        extractions.ExtractionInstanceRemove.as_view(),
        name="api-extraction-instance-remove",
    ),
    path(
        f"{R}extractions/<int:extraction_id>/reopen/",
        extractions.ExtractionReopen.as_view(),
        name="api-extraction-reopen",
    ),
    path(
        f"{R}extractions/<int:extraction_id>/reassign/",
        assign.ExtractionReassign.as_view(),
        name="api-extraction-reassign",
    ),
    path(f"{R}studies/<int:record_id>/comparison/", extractions.Comparison.as_view(), name="api-comparison"),
    path(f"{R}studies/<int:record_id>/consensus/", extractions.Consensus.as_view(), name="api-consensus"),
    path(f"{R}charting/summaries/", summaries.Summaries.as_view(), name="api-summaries"),
    path(f"{R}charting/summaries/crosstab/", summaries.Crosstab.as_view(), name="api-crosstab"),
    path(f"{R}charting/summaries/sankey/", summaries.Sankey.as_view(), name="api-sankey"),
    path(f"{R}charting/summaries/publications/", summaries.Publications.as_view(), name="api-publications"),
    path(
        f"{R}charting/summaries/<slug:name>.<str:ext>",
        summaries.SummaryDownload.as_view(),
        name="api-summary-download",
    ),
    path(f"{R}charting/exports/<slug:kind>.csv", summaries.ExportCsv.as_view(), name="api-charting-export"),
]
