from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import LoginForm
from accounts.oidc import views as oidc_views

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", oidc_views.PortalLogoutView.as_view(), name="logout"),
    path("oidc/<slug:provider_name>/start/", oidc_views.start, name="oidc_start"),
    path("oidc/<slug:provider_name>/callback/", oidc_views.callback, name="oidc_callback"),
    path("password/", views.password_change, name="password_change"),
    path("email/", views.email_address, name="email"),
    path("email/confirm/", views.email_confirm, name="email_confirm"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/verify/", views.second_factor_verify, name="second_factor_verify"),
    path("second-factor/app/", views.totp_add, name="totp_add"),
    path("second-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("second-factor/<str:kind>/<int:pk>/remove/", views.device_remove, name="device_remove"),
    path("unlock/", views.unlock, name="unlock"),
]
