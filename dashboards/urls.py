from django.urls import path

from dashboards import report_views, search_views, status_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("find/", search_views.find, name="find"),
    path("find/suggestions/", search_views.find_suggestions, name="find_suggestions"),
    path("status/", status_views.status_dashboard, name="status"),
    path("status/map/", report_views.status_map, name="status_map"),
    path("status/status.xlsx", report_views.status_xlsx, name="status_xlsx"),
    path("status/report/<str:group>/<str:key>.pdf", report_views.status_report, name="status_report"),
    path("status/missing/", status_views.missing, name="missing"),
    path("status/missing.csv", status_views.missing_csv, name="missing_csv"),
    path("status/missing.xlsx", report_views.missing_xlsx, name="missing_xlsx"),
    path("status/remind-everyone/", status_views.remind_everyone, name="remind_everyone"),
    path("status/organisations/<int:pk>/remind/", status_views.remind, name="remind"),
    path("public/status/", status_views.public_status, name="public_status"),
    path("status.json", status_views.status_json, name="status_json"),
]
