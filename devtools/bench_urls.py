"""ICMS's URLs and two more for `manage.py benchmark_pages` alone (never served): a bare view
for the bare Django request and for the floor."""

from django.urls import path

from devtools import pagebench
from icms.urls import handler404, handler500
from icms.urls import urlpatterns as icms_urlpatterns

urlpatterns = [
    path(pagebench.BARE.strip("/") + "/", pagebench.bare_view),
    path(pagebench.FLOOR.strip("/") + "/", pagebench.bare_view),
    *icms_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
