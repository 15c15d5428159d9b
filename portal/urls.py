from django.contrib import admin
from django.urls import include, path

from core.views import healthz, set_language

urlpatterns = [
    path("", include("dashboards.urls")),
    path("accounts/", include("accounts.urls")),
    path("organisations/", include("organisations.urls")),
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
    path("language/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
