from django.urls import path

from reporting import api, api_outside

R = "reviews/<slug:review>/"

urlpatterns = [
    path(f"{R}prisma/", api.Prisma.as_view(), name="api-prisma"),
    path(f"{R}prisma.svg", api.PrismaSvg.as_view(), name="api-prisma-svg"),
    path(f"{R}prisma/outside/", api_outside.Outside.as_view(), name="api-prisma-outside"),
    path(f"{R}prisma/outside/previous/", api_outside.Previous.as_view(), name="api-prisma-previous"),
    path(
        f"{R}prisma/outside/searches/<int:search_id>/",
        api_outside.OutsideSearch.as_view(),
        name="api-prisma-outside-search",
    ),
    path(f"{R}prisma/<slug:node>/records/", api.PrismaRecords.as_view(), name="api-prisma-records"),
    path(f"{R}exports/", api.ExportList.as_view(), name="api-report-exports"),
    path(f"{R}exports/<slug:kind>/", api.ExportDownload.as_view(), name="api-report-export"),
    path(f"{R}records/<int:record_id>/removal/", api.RecordRemoval.as_view(), name="api-record-removal"),
    path(f"{R}records/<int:record_id>/report-of/", api.RecordReportOf.as_view(), name="api-record-report-of"),
]
