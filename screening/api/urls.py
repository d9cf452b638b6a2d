from django.urls import path

from screening import api
from screening.api.bulk import BulkFullTexts, BulkFullTextsApply
from screening.api.prioritisation import Prioritisation, Stopping

base = "reviews/<slug:review>/screening/"
urlpatterns = [
    path(f"{base}settings/", api.ScreeningSettingsView.as_view(), name="api-screening-settings"),
    path(f"{base}exclusion-reasons/", api.ExclusionReasons.as_view(), name="api-screening-reasons"),
    path(f"{base}exclusion-reasons/order/", api.ExclusionReasonOrder.as_view(), name="api-screening-reasons-order"),
    path(
        f"{base}exclusion-reasons/<int:reason_id>/",
        api.ExclusionReasonDetail.as_view(),
        name="api-screening-reason",
    ),
    path(
        f"{base}exclusion-reasons/<int:reason_id>/move/",
        api.ExclusionReasonMove.as_view(),
        name="api-screening-reason-move",
    ),
    path(f"{base}pilots/", api.Pilots.as_view(), name="api-screening-pilots"),
    path(f"{base}pilots/<int:pilot_id>/close/", api.PilotClose.as_view(), name="api-screening-pilot-close"),
    path(f"{base}progress/", api.Progress.as_view(), name="api-screening-progress"),
    path(f"{base}fulltexts/bulk/", BulkFullTexts.as_view(), name="api-screening-bulk-fulltexts"),
    path(f"{base}fulltexts/bulk/apply/", BulkFullTextsApply.as_view(), name="api-screening-bulk-fulltexts-apply"),
    path(f"{base}records/<int:record_id>/fulltext/", api.FullTextView.as_view(), name="api-screening-fulltext"),
    path(
        f"{base}records/<int:record_id>/not-retrieved/",
        api.NotRetrieved.as_view(),
        name="api-screening-not-retrieved",
    ),
    path(f"{base}<str:stage>/next/", api.NextRecord.as_view(), name="api-screening-next"),
    path(f"{base}<str:stage>/prioritisation/", Prioritisation.as_view(), name="api-screening-prioritisation"),
    path(f"{base}<str:stage>/votes/", api.StageVotes.as_view(), name="api-screening-votes"),
    path(f"{base}<str:stage>/stopping/", Stopping.as_view(), name="api-screening-stopping"),
    path(f"{base}<str:stage>/votes/mine/", api.MyVotes.as_view(), name="api-screening-my-votes"),
    path(f"{base}<str:stage>/votes/mine/undo/", api.UndoLastVote.as_view(), name="api-screening-undo"),
    path(f"{base}<str:stage>/records/<int:record_id>/vote/", api.RecordVote.as_view(), name="api-screening-vote"),
    path(f"{base}<str:stage>/records/<int:record_id>/skip/", api.SkipRecord.as_view(), name="api-screening-skip"),
    path(f"{base}<str:stage>/records/<int:record_id>/hold/", api.HoldRecord.as_view(), name="api-screening-hold"),
    path(f"{base}<str:stage>/conflicts/", api.ConflictList.as_view(), name="api-screening-conflicts"),
    path(
        f"{base}<str:stage>/conflicts/<int:record_id>/",
        api.ConflictDetail.as_view(),
        name="api-screening-conflict",
    ),
    path(
        f"{base}<str:stage>/conflicts/<int:record_id>/comments/",
        api.ConflictComments.as_view(),
        name="api-screening-conflict-comments",
    ),
    path(
        f"{base}<str:stage>/conflicts/<int:record_id>/resolution/",
        api.ConflictResolution.as_view(),
        name="api-screening-conflict-resolution",
    ),
]
