from django.urls import path

from memberships import views

app_name = "memberships"

urlpatterns = [
    path("terms/", views.terms_list, name="terms_list"),
    path("terms/new/", views.terms_edit, name="terms_create"),
    path("terms/<int:pk>/", views.terms_detail, name="terms_detail"),
    path("terms/<int:pk>/edit/", views.terms_edit, name="terms_edit"),
    path("terms/<int:pk>/publish/", views.terms_publish, name="terms_publish"),
    path("terms/<int:pk>/invitations/", views.terms_progress, name="terms_progress"),
    path("terms/<int:pk>/pdf/", views.terms_pdf, name="terms_pdf"),
    path("organisations/<int:pk>/sign/", views.sign, name="sign"),
    path("organisations/<int:pk>/delegations/", views.delegation_create, name="delegation_create"),
    path("organisations/<int:pk>/terminate/", views.membership_terminate, name="membership_terminate"),
    path("organisations/<int:pk>/delegations/<int:role_pk>/revoke/", views.delegation_revoke, name="delegation_revoke"),
    path("signatures/<int:pk>/", views.signed, name="signed"),
    path("signatures/<int:pk>/pdf/", views.signature_pdf, name="signature_pdf"),
    path("signatures/<int:pk>/audit-certificate/", views.audit_certificate, name="audit_certificate"),
    path("verify/", views.verify, name="verify"),
]
