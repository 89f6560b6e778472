"""Render the plain text of a legal page: paragraphs, "## " headings and links; everything else escaped."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html, urlize
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _inline(text: str) -> str:
    return urlize(escape(text), nofollow=True)


@register.filter
def legal_text(text: str) -> SafeString:
    """Blank lines separate blocks; "## " starts a heading, "- " a list item; other lines are paragraph text."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
            items.clear()

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            html.append(str(format_html("<h2>{}</h2>", line[3:].strip())))
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:])
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return mark_safe("\n".join(html))  # noqa: S308 - every piece was escaped above
