from django.urls import path

from suggestions import views

app_name = "suggestions"

urlpatterns = [
    path("", views.suggestion_list, name="suggestion_list"),
    path("<int:pk>/", views.suggestion_detail, name="suggestion_detail"),
    path("<int:pk>/support/", views.suggestion_support, name="suggestion_support"),
]
