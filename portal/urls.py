from django.contrib import admin
from django.urls import include, path

from core.views import healthz, metrics_view, readyz, set_language
from integrations.api import api

urlpatterns = [
    # First: the member lookup is the hottest request (every message exchange may ask it), and the resolver
    # tries the patterns in order.
    path("api/v1/", api.urls),
    path("", include("dashboards.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/webauthn/", include(("accounts.webauthn_urls", "otp_webauthn"))),
    path("organisations/", include("organisations.urls")),
    path("invitations/", include("invitations.urls")),
    path("memberships/", include("memberships.urls")),
    path("help/", include("core.urls")),
    path("services/", include("agreements.urls")),
    path("orders/", include("orders.urls")),
    path("connections/", include("connections.urls")),
    path("register/", include("enhetsregisteret.urls")),
    path("security/advisories/", include("advisories.urls")),
    path("security/incidents/", include("incidents.urls")),
    path("events/", include("events.urls")),
    path("suggestions/", include("suggestions.urls")),
    path("surveys/", include("surveys.urls")),
    path("support/", include("support.urls")),
    path("integrations/", include("integrations.urls")),
    path("language/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
]

# The portal's own error pages (core/errors.py): its layout, the user's language, the customer centre.
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
