"""The records of processing (RK-2) as a self-contained HTML page and as an Excel workbook.

Both print the same rows as the CSV: one activity per purpose, one field per row, list fields as lines.
"""

from __future__ import annotations

import html
import io

from privacyops.reports.ropa import FIELD_TITLES, Activity

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d232b}"
    "table{border-collapse:collapse;width:100%;margin:0 0 2rem}th,td{border:1px solid #dde2ea;"
    "padding:.4rem .6rem;text-align:left;vertical-align:top}th{background:#f4f6fa;width:14rem}"
    "ul{margin:0;padding-left:1.1rem}"
)


def to_html(
    activities: list[Activity], controller: str, title: str = "Records of processing activities"
) -> str:
    """Return the records as one HTML page: a table per activity, a row per Art. 30 field."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)} · {html.escape(controller)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(controller)}: {len(activities)} activities, one per purpose (GDPR Art. 30(1)).</p>",
    ]
    for activity in activities:
        parts.append(f'<h2 id="{html.escape(activity.id)}">{html.escape(activity.id)}</h2><table>')
        for name, label in FIELD_TITLES.items():
            if name != "id":
                value = _cell(getattr(activity, name))
                parts.append(f'<tr><th scope="row">{html.escape(label)}</th><td>{value}</td></tr>')
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def to_xlsx(activities: list[Activity], title: str = "Records of processing") -> bytes:
    """Return the records as an .xlsx workbook: one row per activity, a column per Art. 30 field."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = title[:31]
    sheet.append(list(FIELD_TITLES.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for activity in activities:
        sheet.append([_lines(getattr(activity, name)) for name in FIELD_TITLES])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column in sheet.columns:
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = 18 if letter == "A" else 45
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: str | tuple[str, ...]) -> str:
    if isinstance(value, str):
        return html.escape(value)
    return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in value) + "</ul>"


def _lines(value: str | tuple[str, ...]) -> str:
    return value if isinstance(value, str) else "\n".join(value)
