from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite

from icms import views

# The admin site asks for a verified (two-factor) session, and logs in through ICMS's login.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "ICMS administration"
admin.site.site_title = "ICMS administration"

handler404 = "icms.views.page_not_found"
# An unreachable PostgreSQL or Redis answers 503, anything else the 500 page.
handler500 = "icms.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("young-people/", include("clients.urls")),
    path("young-people/", include("documents.urls")),
    path("referrals/", include("referrals.urls")),
    path("plans/", include("caseplans.urls")),
    path("register/", include("register.urls")),
    path("supervision/", include("supervision.urls")),
    path("visits/", include("visits.urls")),
    path("crises/", include("crises.urls")),
    path("on-call/", include("oncall.urls")),
    path("diary/", include("diary.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("exits/", include("exits.urls")),
    path("records/", include("records.urls")),
    path("audit/", include("audit.urls")),
    path("notifications/", include("notifications.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("api/", include(("icms.api_urls", "api"))),
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
]
