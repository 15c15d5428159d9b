from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_edit, name="survey_create"),
    path("<int:pk>/", views.survey_answer, name="survey_answer"),
    path("<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:pk>/questions/", views.survey_build, name="survey_build"),
    path("<int:pk>/questions/<int:question_pk>/delete/", views.question_delete, name="question_delete"),
    path("<int:pk>/publish/", views.survey_publish, name="survey_publish"),
    path("<int:pk>/results/", views.survey_results, name="survey_results"),
    path("<int:pk>/results.csv", views.survey_export, {"fmt": "csv"}, name="survey_export_csv"),
    path("<int:pk>/results.xlsx", views.survey_export, {"fmt": "xlsx"}, name="survey_export_xlsx"),
]
