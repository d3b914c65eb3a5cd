from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("caseload.csv", views.caseload_export, name="caseload-export"),
    path("new/", views.young_person_create, name="create"),
    path("transfer/", views.transfer, name="transfer"),
    path("<int:pk>/", views.young_person_detail, name="detail"),
    path("<int:pk>/edit/", views.young_person_edit, name="edit"),
    path("<int:pk>/timeline/", views.timeline, name="timeline"),
    path("<int:pk>/contacts.csv", views.contacts_csv, name="contacts-csv"),
    path("<int:pk>/file.pdf", views.file_pdf, name="file-pdf"),
    path("<int:pk>/merge/", views.young_person_merge, name="merge"),
    path(
        "<int:pk>/merge/<int:other_pk>/",
        views.young_person_merge_confirm,
        name="merge-confirm",
    ),
    path("<int:pk>/key-people/new/", views.key_person_form, name="key-person-create"),
    path(
        "<int:pk>/key-people/<int:key_person_pk>/",
        views.key_person_form,
        name="key-person-edit",
    ),
    path("<int:pk>/network/new/", views.professional_form, name="professional-create"),
    path(
        "<int:pk>/network/<int:professional_pk>/",
        views.professional_form,
        name="professional-edit",
    ),
    path("<int:pk>/alerts/new/", views.alert_create, name="alert-create"),
    path("<int:pk>/alerts/<int:alert_pk>/", views.alert_edit, name="alert-edit"),
    path("<int:pk>/alerts/<int:alert_pk>/end/", views.alert_end, name="alert-end"),
    path("<int:pk>/disclosures/new/", views.disclosure_create, name="disclosure-create"),
    path("<int:pk>/allocation/", views.allocation, name="allocation"),
    path("<int:pk>/status/", views.status_change, name="status"),
    path(
        "<int:pk>/allocation/<int:allocation_pk>/end/",
        views.allocation_end,
        name="allocation-end",
    ),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact-create"),
    path("<int:pk>/contacts/draft/", views.contact_draft, name="contact-draft"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_detail, name="contact-detail"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact-edit"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/restriction/",
        views.contact_restriction,
        name="contact-restriction",
    ),
    path("<int:pk>/contacts/<int:contact_pk>/reads/", views.contact_read_log, name="contact-reads"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/in-error/",
        views.contact_mark_in_error,
        name="contact-in-error",
    ),
    path("after-hours/", views.break_glass_request, name="break-glass"),
    path("after-hours/<int:pk>/", views.break_glass_detail, name="break-glass-detail"),
    path("after-hours/<int:pk>/reviewed/", views.break_glass_review, name="break-glass-review"),
]
