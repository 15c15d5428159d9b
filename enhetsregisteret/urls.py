from django.urls import path

from enhetsregisteret import signatory_views, views

app_name = "enhetsregisteret"

urlpatterns = [
    path("", views.candidates, name="candidates"),
    path("invite/", views.invite, name="invite"),
    path("sign-for/", signatory_views.claim, name="claim"),
    path("follow-ups/<int:pk>/resolve/", views.follow_up_resolve, name="follow_up_resolve"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("mergers/new/", views.merger_create, name="merger_create"),
    path("mergers/<int:pk>/edit/", views.merger_edit, name="merger_edit"),
    path("mergers/<int:pk>/withdraw/", views.merger_withdraw, name="merger_withdraw"),
]
