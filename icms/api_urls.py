"""The REST API: every kind of record an external system or the agency's own tools read, and
the referrals child protection makes (README, The API)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from caseplans.api import CasePlanViewSet, CrisisPlanViewSet, ExitPlanViewSet
from clients.api import ContactViewSet, YoungPersonViewSet
from diary.api import AppointmentViewSet
from documents.api import DocumentViewSet
from referrals.api import ReferralViewSet
from register.api import RegisterEntryViewSet

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
router.register("young-people", YoungPersonViewSet, basename="young-person")
router.register(r"young-people/(?P<pk>[0-9]+)/contacts", ContactViewSet, basename="contact")
router.register("case-plans", CasePlanViewSet, basename="case-plan")
router.register("crisis-plans", CrisisPlanViewSet, basename="crisis-plan")
router.register("exit-plans", ExitPlanViewSet, basename="exit-plan")
router.register("register-entries", RegisterEntryViewSet, basename="register-entry")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
