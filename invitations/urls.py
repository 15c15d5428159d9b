from django.urls import path

from invitations import views

app_name = "invitations"

urlpatterns = [
    path("organisations/<int:pk>/", views.organisation_invitations, name="organisation_invitations"),
    path("organisations/<int:pk>/<int:invitation_pk>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
    path("accept/complete/", views.accept_complete, name="accept_complete"),
    path("accept/<str:token>/", views.accept, name="accept"),
]
