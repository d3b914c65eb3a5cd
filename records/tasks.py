from django.utils import timezone

from records.services import archive_closed_files
from toolkit.jobs import daily_job


@daily_job
def archive_closed_files_daily() -> int:
    """Daily: archive the closed files whose after-care is over. Safe to run any number of
    times: a file is archived once."""
    return archive_closed_files(timezone.localdate())
