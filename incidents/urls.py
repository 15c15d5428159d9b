from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("organisations/<int:org_pk>/report/", views.incident_report, name="report"),
    path("organisations/<int:org_pk>/access-log/", views.access_log, name="access_log"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/access-log/", views.incident_access_log, name="incident_access_log"),
    path("<int:pk>/messages/", views.incident_message, name="message"),
    path("<int:pk>/status/", views.incident_status, name="status"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
