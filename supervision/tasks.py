from django.utils import timezone

from supervision.services import send_weekly_digests
from toolkit.jobs import daily_job


@daily_job
def weekly_digests() -> int:
    return send_weekly_digests(timezone.localdate())
