"""What clubs asks the apps above it about a club, without importing them.

``clubs`` sits below ``rooms``, ``meetings``, ``recordings`` and ``events``: they import clubs, never
the other way round (tests/test_import_rules.py). Where the club admin shows their figures, those
apps register them here in their ``AppConfig.ready()``::

    register_usage("rooms_used", lambda: per_club(Room.objects.all(), Count("pk")))

``annotate_usage(queryset)`` annotates every registered figure, each one correlated subquery, so
the staff's club list stays one query whatever the number of apps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Expression, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

_usage: dict[str, Callable[[], Expression]] = {}


def register_usage(name: str, expression: Callable[[], Expression]) -> None:
    """Annotate club querysets of the admin with ``name`` = ``expression()`` (built per query)."""
    _usage[name] = expression


def per_club(queryset: QuerySet, aggregate: Any) -> Coalesce:
    """A correlated subquery computing ``aggregate`` over ``queryset`` rows of the outer club."""
    sub = queryset.filter(club=OuterRef("pk")).order_by().values("club").annotate(v=aggregate).values("v")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def annotate_usage(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(**{name: expression() for name, expression in _usage.items()})
