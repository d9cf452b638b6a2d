from django.urls import path

from screening.views import conflicts, fulltexts, manage, screen, stopping

app_name = "screening"

base = "reviews/<slug:slug>/screening/"
urlpatterns = [
    path(base, screen.overview, name="overview"),
    path(f"{base}progress/", manage.progress, name="progress"),
    path(f"{base}settings/", manage.screening_settings, name="settings"),
    path(f"{base}settings/reasons/", manage.reason_add, name="reason-add"),
    path(f"{base}settings/reasons/<int:reason_id>/", manage.reason_change, name="reason-change"),
    path(f"{base}settings/pilot/", manage.pilot, name="pilot"),
    path(f"{base}settings/blinding/", manage.blinding, name="blinding"),
    path(f"{base}conflicts/", conflicts.conflicts_home, name="conflicts-home"),
    path(f"{base}records/<int:record_id>/fulltext/", fulltexts.fulltext, name="fulltext"),
    path(f"{base}records/<int:record_id>/fulltext/upload/", fulltexts.fulltext_upload_view, name="fulltext-upload"),
    path(f"{base}records/<int:record_id>/not-retrieved/", fulltexts.not_retrieved, name="not-retrieved"),
    path(f"{base}<str:stage>/", screen.screen, name="screen"),
    path(f"{base}<str:stage>/stopping/sample/", stopping.sample_start, name="stopping-sample"),
    path(f"{base}<str:stage>/stopping/evidence.json", stopping.evidence_json, name="stopping-evidence-json"),
    path(f"{base}<str:stage>/stopping/evidence.csv", stopping.evidence_csv, name="stopping-evidence-csv"),
    path(f"{base}<str:stage>/previous/", screen.previous, name="previous"),
    path(f"{base}<str:stage>/undo/", screen.undo, name="undo"),
    path(f"{base}<str:stage>/records/<int:record_id>/", screen.record_view, name="record"),
    path(f"{base}<str:stage>/records/<int:record_id>/vote/", screen.vote, name="vote"),
    path(f"{base}<str:stage>/records/<int:record_id>/withdraw/", screen.withdraw, name="withdraw"),
    path(f"{base}<str:stage>/records/<int:record_id>/skip/", screen.skip, name="skip"),
    path(f"{base}<str:stage>/conflicts/", conflicts.conflict_list, name="conflicts"),
    path(f"{base}<str:stage>/conflicts/<int:record_id>/", conflicts.conflict_detail, name="conflict"),
    path(f"{base}<str:stage>/conflicts/<int:record_id>/comments/", conflicts.conflict_comment, name="conflict-comment"),
    path(
        f"{base}<str:stage>/conflicts/<int:record_id>/resolution/",
        conflicts.conflict_resolution,
        name="conflict-resolve",
    ),
    path(f"{base}<str:stage>/conflicts/<int:record_id>/vote/", conflicts.conflict_vote, name="conflict-vote"),
]
