from django.urls import path

from reporting.views import outside, prisma

app_name = "reporting"

R = "reviews/<slug:slug>/report/"

urlpatterns = [
    path(R, prisma.prisma, name="prisma"),
    path(f"{R}prisma.svg", prisma.prisma_svg, name="prisma-svg"),
    path(f"{R}prisma/<slug:node>/", prisma.prisma_node_records, name="prisma-records"),
    path(f"{R}exports/", prisma.exports, name="exports"),
    path(f"{R}exports/<slug:kind>/", prisma.export_download, name="export"),
    path(f"{R}records/<int:record_id>/", prisma.record_prisma, name="record"),
    path(f"{R}outside/", outside.outside_counts, name="outside"),
]
