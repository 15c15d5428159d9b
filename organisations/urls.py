from django.urls import path

from organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/roles/", views.role_grant, name="role_grant"),
    path("<int:pk>/roles/<int:role_pk>/remove/", views.role_revoke, name="role_revoke"),
    path("<int:pk>/access-log/", views.access_log, name="access_log"),
]
