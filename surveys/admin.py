from django.contrib import admin

from core.admin import ReadOnlyAdmin
from surveys.models import Answer, Question, Response, Survey


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["title", "opens_at", "closes_at", "answer_per", "is_published"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["text", "survey", "kind", "required", "position"]
    list_select_related = ["survey"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["survey", "organisation", "submitted_at"]
    list_select_related = ["survey", "organisation"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["response", "question"]
    list_select_related = ["response", "question"]
