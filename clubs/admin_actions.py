"""The status actions of the club admin (approve, reject, suspend, reactivate, close), shared by the club and the
application lists: each a confirmation step, then a thin door to ``clubs.services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from clubs import registry
from clubs.models import Club, Membership

STATUS_BADGE = {
    Club.Status.PENDING: "warn",
    Club.Status.ACTIVE: "ok",
    Club.Status.SUSPENDED: "bad",
    Club.Status.REJECTED: "muted",
    Club.Status.CLOSED: "muted",
}


def annotate_usage(queryset: QuerySet) -> QuerySet:
    """Rooms, meetings this month, running meetings, recordings and their size per club, in one query.

    The figures of rooms, meetings and recordings are registered by those apps (clubs/registry.py).
    """
    return registry.annotate_usage(queryset).annotate(
        members_count=registry.per_club(Membership.objects.all(), Count("pk"))
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Begründung"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        max_length=2000,
        error_messages={"required": _("Bitte geben Sie eine Begründung an. Sie steht in der E-Mail an den Verein.")},
    )


def _club_service(name: str) -> Callable[..., Any]:
    from clubs import services

    return getattr(services, name)


class ClubStatusActions:
    """Approve, reject, suspend, reactivate: shared by the club list and the application queue."""

    actions = ["approve_clubs", "reject_clubs", "suspend_clubs", "reactivate_clubs"]

    change_form_template = "admin/clubs/club/change_form.html"

    STATUS_BUTTONS = {
        Club.Status.PENDING: [("approve_clubs", _("Freigeben …")), ("reject_clubs", _("Ablehnen …"))],
        Club.Status.REJECTED: [("approve_clubs", _("Doch freigeben …"))],
        Club.Status.ACTIVE: [("suspend_clubs", _("Sperren …"))],
        Club.Status.SUSPENDED: [("reactivate_clubs", _("Wieder freischalten"))],
    }

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        club = Club.objects.filter(pk=object_id).only("status").first()
        allowed = set(self.get_actions(request))
        buttons = [(a, label) for a, label in self.STATUS_BUTTONS.get(club.status, []) if a in allowed] if club else []
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "status_actions": buttons})

    def _run(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        service: str,
        allowed: set[str],
        done: str,
        skipped: str,
        **kwargs: Any,
    ) -> None:
        clubs = list(Club.objects.filter(pk__in=queryset.values("pk")).order_by("name"))
        changed, refused = [], []
        for club in clubs:
            if club.status not in allowed:
                refused.append(club)
                continue
            try:
                _club_service(service)(club=club, actor=request.user, **kwargs)
            except (ValidationError, ValueError) as exc:
                message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{club}: {message}", messages.ERROR)
            else:
                changed.append(club)
        if changed:
            self.message_user(request, done % {"clubs": ", ".join(map(str, changed))}, messages.SUCCESS)
        if refused:
            self.message_user(request, skipped % {"clubs": ", ".join(map(str, refused))}, messages.WARNING)

    def _with_reason(
        self, request: HttpRequest, queryset: QuerySet, *, action: str, title: str, intro: str, **run: Any
    ) -> HttpResponse | None:
        """Ask for a reason on an intermediate page; apply once it is given."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._run(request, queryset, reason=form.cleaned_data["reason"], **run)
            return None
        return self._intermediate(request, queryset, action=action, title=title, intro=intro, form=form)

    def _confirmed(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        action: str,
        title: str,
        intro: str,
        confirm_label: str,
        **run: Any,
    ) -> HttpResponse | None:
        """A step between the click and the change: list what will happen, apply only after "Ja, …"."""
        if "apply" in request.POST:
            self._run(request, queryset, **run)
            return None
        response = self._intermediate(request, queryset, action=action, title=title, intro=intro, form=None)
        response.context_data["confirm_label"] = confirm_label
        return response

    def _intermediate(
        self, request: HttpRequest, queryset: QuerySet, *, action: str, title: str, intro: str, form: Any
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "clubs": list(annotate_usage(Club.objects.filter(pk__in=queryset.values("pk")))),
            "form": form,
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/clubs/club/status_reason.html", context)

    @admin.action(description=_("Ausgewählte Vereine freigeben …"), permissions=["change"])
    def approve_clubs(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._confirmed(
            request,
            queryset,
            action="approve_clubs",
            title=_("Vereine freigeben"),
            confirm_label=_("Ja, freigeben"),
            intro=_(
                "Freigegebene Vereine können sofort Räume anlegen, Mitglieder einladen und Besprechungen starten. "
                "Die Ansprechpersonen erhalten eine E-Mail."
            ),
            service="club_approve",
            allowed={Club.Status.PENDING, Club.Status.REJECTED},
            done=_("Freigegeben, die Ansprechpersonen sind per E-Mail benachrichtigt: %(clubs)s"),
            skipped=_("Nicht freigegeben, weil sie nicht auf Freigabe warten: %(clubs)s"),
        )

    @admin.action(description=_("Ausgewählte Vereine ablehnen …"), permissions=["change"])
    def reject_clubs(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="reject_clubs",
            title=_("Vereinsanmeldungen ablehnen"),
            intro=_("Die Begründung wird den Ansprechpersonen per E-Mail mitgeteilt."),
            service="club_reject",
            allowed={Club.Status.PENDING},
            done=_("Abgelehnt, die Ansprechpersonen sind per E-Mail benachrichtigt: %(clubs)s"),
            skipped=_("Nicht abgelehnt, weil sie nicht auf Freigabe warten: %(clubs)s"),
        )

    @admin.action(description=_("Ausgewählte Vereine sperren …"), permissions=["change"])
    def suspend_clubs(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="suspend_clubs",
            title=_("Vereine sperren"),
            intro=_(
                "Gesperrte Vereine können keine Besprechungen mehr starten. "
                "Die Begründung wird den Ansprechpersonen per E-Mail mitgeteilt."
            ),
            service="club_suspend",
            allowed={Club.Status.ACTIVE},
            done=_("Gesperrt, die Ansprechpersonen sind per E-Mail benachrichtigt: %(clubs)s"),
            skipped=_("Nicht gesperrt, weil sie nicht aktiv sind: %(clubs)s"),
        )

    @admin.action(description=_("Ausgewählte Vereine wieder freischalten"), permissions=["change"])
    def reactivate_clubs(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            service="club_reactivate",
            allowed={Club.Status.SUSPENDED},
            done=_("Wieder freigeschaltet, die Ansprechpersonen sind per E-Mail benachrichtigt: %(clubs)s"),
            skipped=_("Nicht freigeschaltet, weil sie nicht gesperrt sind: %(clubs)s"),
        )
