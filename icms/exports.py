"""CSV downloads: streamed row by row (memory stays flat however many rows), and each one
recorded in the audit trail as an export."""

import csv
from collections.abc import Iterable, Iterator

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record


class _Echo:
    """csv.writer writes here and gets the line back, so that lines can be yielded."""

    def write(self, value: str) -> str:
        return value


def _lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def csv_download(
    request: HttpRequest, *, name: str, header: list[str], rows: Iterable[list], detail: dict
) -> StreamingHttpResponse:
    """`rows` is consumed lazily as the response is sent; pass a generator over a queryset's
    iterator(), not a list. `detail` says what was exported, for the audit trail."""
    record(
        AuditAction.EXPORT,
        actor=request.user,
        detail={"export": name, "filters": request.GET.dict(), **detail},
    )
    response = StreamingHttpResponse(_lines(header, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
