from django.urls import path

from advisories import views

app_name = "advisories"

urlpatterns = [
    path("", views.advisory_list, name="list"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
    path("new/", views.advisory_edit, name="create"),
    path("import/", views.csaf_upload, name="import"),
    path("<int:pk>/", views.advisory_detail, name="detail"),
    path("<int:pk>/csaf.json", views.advisory_csaf, name="csaf"),
    path("<int:pk>/edit/", views.advisory_edit, name="edit"),
    path("<int:pk>/submit/", views.advisory_submit, name="submit"),
    path("<int:pk>/approve/", views.advisory_approve, name="approve"),
    path("<int:pk>/return/", views.advisory_return, name="return"),
    path("<int:pk>/correct/", views.advisory_correct, name="correct"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/acknowledgements/", views.acknowledgements, name="acknowledgements"),
    path("<int:pk>/revisions/<int:number>/", views.revision_detail, name="revision"),
    path("contacts/missing/", views.contacts_missing, name="contacts_missing"),
    path("organisations/<int:org_pk>/contacts/", views.contacts, name="contacts"),
    path("organisations/<int:org_pk>/contacts/<int:role_pk>/", views.contact_edit, name="contact_edit"),
    path("threat-picture/", views.threat_picture, name="threat_picture"),
    path("threat-picture/edit/", views.threat_picture_edit, name="threat_picture_edit"),
]
