from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("queue/", views.referral_queue, name="queue"),
    path("new/", views.referral_create, name="create"),
    path("new/autosave/", views.referral_autosave, name="create-autosave"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/edit/", views.referral_edit, name="edit"),
    path("<int:pk>/autosave/", views.referral_autosave, name="autosave"),
    path("<int:pk>/discard/", views.referral_discard, name="discard"),
    path("<int:pk>/submit/", views.referral_submit, name="submit"),
    path("<int:pk>/withdraw/", views.referral_withdraw, name="withdraw"),
    path("<int:pk>/move/<str:to>/", views.referral_move, name="move"),
    path("<int:pk>/accept/", views.referral_accept, name="accept"),
    path("<int:pk>/decline/", views.referral_decline, name="decline"),
    path(
        "<int:pk>/documents/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path(
        "<int:pk>/documents/<int:attachment_pk>/withdraw/",
        views.attachment_withdraw,
        name="attachment-withdraw",
    ),
    path("<int:pk>/agreement/", views.agreement_print, name="agreement"),
    path("agreements/<int:pk>/", views.agreement_print_by_number, name="agreement-print"),
    path("take-on/<int:pk>/", views.take_on, name="take-on"),
    path("<int:pk>/decisions/", views.child_protection_decisions, name="decisions"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/new/", views.consultation_create, name="consultation-create"),
]
