from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.contact, name="contact"),
    path("hours/", views.hours_edit, name="hours_edit"),
    path("hours/special-days/", views.special_days, name="special_days"),
    path("hours/special-days/<int:pk>/delete/", views.special_day_delete, name="special_day_delete"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/manage/", views.request_manage, name="request_manage"),
    path("queue/", views.queue, name="queue"),
    path("attendance/", views.attendance_list, name="attendance_list"),
    path("attendance/new/", views.attendance_create, name="attendance_create"),
    path("attendance/<int:pk>/", views.attendance_detail, name="attendance_detail"),
]
