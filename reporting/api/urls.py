from django.urls import path

from reporting.api import outside, prisma

R = "reviews/<slug:review>/"

urlpatterns = [
    path(f"{R}prisma/", prisma.Prisma.as_view(), name="api-prisma"),
    path(f"{R}prisma.svg", prisma.PrismaSvg.as_view(), name="api-prisma-svg"),
    path(f"{R}prisma/outside/", outside.Outside.as_view(), name="api-prisma-outside"),
    path(f"{R}prisma/outside/previous/", outside.Previous.as_view(), name="api-prisma-previous"),
    path(
        f"{R}prisma/outside/searches/<int:search_id>/",
        outside.OutsideSearch.as_view(),
        name="api-prisma-outside-search",
    ),
    path(f"{R}prisma/<slug:node>/records/", prisma.PrismaRecords.as_view(), name="api-prisma-records"),
    path(f"{R}exports/", prisma.ExportList.as_view(), name="api-report-exports"),
    path(f"{R}exports/<slug:kind>/", prisma.ExportDownload.as_view(), name="api-report-export"),
    path(f"{R}records/<int:record_id>/removal/", prisma.RecordRemoval.as_view(), name="api-record-removal"),
    path(f"{R}records/<int:record_id>/report-of/", prisma.RecordReportOf.as_view(), name="api-record-report-of"),
]
