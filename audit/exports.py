"""CSV downloads: streamed row by row (memory stays flat however many rows), each one recorded
in the audit trail as an export, and every cell safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record


class _Echo:
    """csv.writer writes here and gets the line back, so that lines can be yielded."""

    def write(self, value: str) -> str:
        return value


# What makes a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a formula, as
# OWASP's page on CSV injection lists it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The cell as it is written. Text that a spreadsheet would run as a formula (a name typed
    as `=HYPERLINK(...)`) gets a leading apostrophe, as OWASP advises: the spreadsheet shows it
    as text, apostrophe included, and runs nothing. Numbers ICMS counts (int, float, Decimal)
    are written as they are, a negative one included: a number carries no formula, and must
    stay a number that sums. Everything else is text, whatever it looks like: "-12" typed in a
    name field comes out as '-12."""
    if value is None or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_download(
    request: HttpRequest,
    *,
    name: str,
    header: list[str],
    rows: Iterable[list],
    detail: dict,
    young_person_id: int | None = None,
) -> StreamingHttpResponse:
    """`rows` is consumed lazily as the response is sent; pass a generator over a queryset's
    iterator(), not a list. `detail` says what was exported, for the audit trail, and
    `young_person_id` whose record it is, when it is one young person's."""
    record(
        AuditAction.EXPORT,
        actor=request.user,
        detail={"export": name, "filters": request.GET.dict(), **detail},
        young_person_id=young_person_id,
    )
    response = StreamingHttpResponse(_lines(header, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
