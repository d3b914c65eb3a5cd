from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from notifications.models import Notification
from notifications.services import mark_read
from toolkit.access import find_or_404

LATEST = 50


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = list(Notification.objects.filter(recipient=request.user)[:LATEST])
    return render(request, "notifications/list.html", {"notifications": notifications})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read and go to what it is about."""
    notification = find_or_404(request, Notification.objects.filter(recipient=request.user), pk=pk)
    mark_read([notification])
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    mark_read(Notification.objects.filter(recipient=request.user, read_at__isnull=True))
    return redirect("notifications:list")
