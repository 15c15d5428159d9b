from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("dashboards.urls")),
    path("accounts/", include("accounts.urls")),
    path("organisations/", include("organisations.urls")),
    path("memberships/", include("memberships.urls")),
    path("help/", include("core.urls")),
    path("language/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
