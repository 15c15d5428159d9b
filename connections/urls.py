from django.urls import path

from connections import request_views, views

app_name = "connections"

urlpatterns = [
    path("", views.connection_list, name="connection_list"),
    path("new/", views.connection_edit, name="connection_create"),
    path("import/", views.connection_import, name="connection_import"),
    path("uptime/", views.backbone_uptime, name="backbone_uptime"),
    path("before-after/", views.before_after, name="before_after"),
    path("<int:pk>/", views.connection_detail, name="connection_detail"),
    path("<int:pk>/edit/", views.connection_edit, name="connection_edit"),
    path("<int:pk>/outages/new/", views.outage_edit, name="outage_create"),
    path("<int:pk>/outages/<int:outage_pk>/edit/", views.outage_edit, name="outage_edit"),
    path("organisations/<int:pk>/assessment/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/pdf/", views.assessment_pdf, name="assessment_pdf"),
    path("organisations/<int:pk>/cloud-epj/", views.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("organisations/<int:pk>/end-connection/", views.termination_request, name="termination_request"),
    path("<int:pk>/details/", request_views.connection_member_edit, name="connection_member_edit"),
    path("<int:pk>/request-change/", request_views.change_request_create, name="change_request_create"),
    path("requests/", request_views.request_queue, name="request_queue"),
    path("change-requests/<int:pk>/", request_views.change_request_detail, name="change_request_detail"),
    path("terminations/<int:pk>/", request_views.termination_detail, name="termination_detail"),
]
