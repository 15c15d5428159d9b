from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("<int:org_id>/tokens/", views.token_list, name="token_list"),
    path("<int:org_id>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("<int:org_id>/webhooks/", views.webhook_list, name="webhook_list"),
    path("<int:org_id>/webhooks/<int:endpoint_id>/", views.webhook_detail, name="webhook_detail"),
    path(
        "<int:org_id>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay/",
        views.delivery_replay,
        name="delivery_replay",
    ),
]
