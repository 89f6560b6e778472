"""Statistics as CSV: the same figures as the club's statistics page and the staff dashboard."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from meetings.stats import MonthStats


def _csv(header: list[str], rows: Iterable[list]) -> str:
    buffer = io.StringIO()
    # Semicolons and a decimal point in the number columns: German spreadsheets split on ";" by default.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def club_statistics_csv(*, months: list[MonthStats]) -> str:
    """One row per month, newest first, as on the statistics page."""
    header = [
        _("Monat"),
        _("Besprechungen"),
        _("Teilnehmendenstunden"),
        _("Höchstzahl gleichzeitig"),
        _("Meistgenutzte Räume"),
    ]
    rows = (
        [
            month.month.strftime("%Y-%m"),
            month.meetings,
            f"{month.participant_hours:.1f}",
            month.peak_participants,
            ", ".join(f"{room.name} ({room.meetings}, {room.participant_hours:.1f})" for room in month.busiest_rooms),
        ]
        for month in months
    )
    return _csv(header, rows)


def service_statistics_csv(*, clubs: list[dict]) -> str:
    """One row per club with meetings in the month, busiest first, and a total row."""
    header = [_("Verein"), _("Kurzname"), _("Besprechungen"), _("Teilnehmendenstunden"), _("Höchstzahl gleichzeitig")]
    rows = [
        [club["name"], club["slug"], club["meetings"], f"{club['participant_hours']:.1f}", club["peak_participants"]]
        for club in clubs
    ]
    total_hours = sum(club["participant_hours"] for club in clubs)
    rows.append([_("Summe"), "", sum(club["meetings"] for club in clubs), f"{total_hours:.1f}", ""])
    return _csv(header, rows)
