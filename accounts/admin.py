"""The staff console for people: users (by email), their email addresses and second factors."""

from __future__ import annotations

from typing import Any

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from clubs.audit import audit_log
from clubs.models import Membership


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    fields = ("club_link", "role", "created_at")
    readonly_fields = ("club_link", "created_at")
    extra = 0
    verbose_name_plural = _("Mitgliedschaften in Vereinen")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("club", "user")  # __str__ shows both

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Verein"))
    def club_link(self, membership: Membership) -> str:
        url = reverse("admin:clubs_club_change", args=[membership.club_id])
        return format_html('<a href="{}">{}</a>', url, membership.club.name)


class HasMFAFilter(admin.SimpleListFilter):
    title = _("Zwei-Faktor-Anmeldung")
    parameter_name = "mfa"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("eingerichtet")), ("no", _("nicht eingerichtet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(has_mfa=self.value() == "yes")
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = (
        "email",
        "name",
        "clubs",
        "is_staff",
        "is_superuser",
        "mfa",
        "is_active",
        "last_login",
        "date_joined",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", HasMFAFilter, "language")
    search_fields = ("email", "name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    inlines = [UserMembershipInline]
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Persönliches"), {"fields": ("name", "language")}),
        (
            _("Berechtigungen"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Zeitstempel"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        memberships = (
            Membership.objects.filter(user=OuterRef("pk")).order_by().values("user").annotate(c=Count("pk")).values("c")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_mfa=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
                club_count=Coalesce(Subquery(memberships, output_field=IntegerField()), Value(0)),
            )
        )

    @admin.display(description=_("2FA"), boolean=True, ordering="has_mfa")
    def mfa(self, user: User) -> bool:
        return user.has_mfa

    @admin.display(description=_("Vereine"), ordering="club_count")
    def clubs(self, user: User) -> int:
        return user.club_count

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        watched = {"is_staff", "is_superuser", "is_active"} & set(form.changed_data)
        if change and watched:
            audit_log(
                action="user.permissions_changed",
                actor=request.user,
                target=obj,
                details={field: getattr(obj, field) for field in sorted(watched)},
            )


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(AllauthEmailAddressAdmin):
    list_display = ("email", "user", "primary", "verified")
    list_select_related = ("user",)
    raw_id_fields = ()
    autocomplete_fields = ("user",)


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Second factors: visible, never editable (the data is a secret); deleting resets a lost factor."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    search_fields = ("user__email", "user__name")
    list_select_related = ("user",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Authenticator) -> None:
        audit_log(action="mfa.authenticator_deleted", actor=request.user, target=obj.user, details={"type": obj.type})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for authenticator in queryset.select_related("user"):
            self.delete_model(request, authenticator)
