from django.urls import path

from reporting import views, views_outside

app_name = "reporting"

R = "reviews/<slug:slug>/report/"

urlpatterns = [
    path(R, views.prisma, name="prisma"),
    path(f"{R}prisma.svg", views.prisma_svg, name="prisma-svg"),
    path(f"{R}prisma/<slug:node>/", views.prisma_node_records, name="prisma-records"),
    path(f"{R}exports/", views.exports, name="exports"),
    path(f"{R}exports/<slug:kind>/", views.export_download, name="export"),
    path(f"{R}records/<int:record_id>/", views.record_prisma, name="record"),
    path(f"{R}outside/", views_outside.outside_counts, name="outside"),
]
