from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("how-they-fit/", views.overview, name="overview"),
    path("organisation/<int:pk>/", views.organisation_services, name="organisation_services"),
    path("organisation/<int:pk>/guided/", views.guided_flow, name="guided_flow"),
    path("organisation/<int:pk>/guided/restart/", views.flow_restart, name="flow_restart"),
    path("agreements/<int:pk>/terminate/", views.agreement_terminate, name="agreement_terminate"),
    path("signings/<int:pk>/", views.signing_detail, name="signing_detail"),
    path("signings/<int:pk>/pdf/", views.signing_pdf, name="signing_pdf"),
    path("<slug:slug>/", views.service_detail, name="service_detail"),
    path("<slug:slug>/terms/new/", views.terms_new, name="terms_new"),
    path("<slug:slug>/terms/<int:pk>/", views.terms_detail, name="terms_detail"),
]
