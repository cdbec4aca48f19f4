from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import tokens
from .models import AccountRole, AdAccount, Campaign, Creative, FaultConfig, Member, SenderPermission, Token


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["slug", "first_name", "last_name", "headline"]
    exclude = ["photo"]


class RoleInline(admin.TabularInline):
    model = AccountRole
    extra = 0


class PermissionInline(admin.TabularInline):
    model = SenderPermission
    extra = 0


@admin.register(AdAccount)
class AdAccountAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "status"]
    inlines = [RoleInline, PermissionInline]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "account", "format", "status"]


@admin.register(Creative)
class CreativeAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "content_reference", "intended_status"]


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    """Tokens are shown by their last characters only; the hash is never displayed."""

    list_display = ["kind", "hint", "member", "scope", "expires_at", "revoked_at"]
    list_filter = ["kind"]
    fields = ["kind", "hint", "member", "client_id", "scope", "expires_at", "revoked_at"]
    readonly_fields = ("kind", "hint", "member", "client_id", "scope", "expires_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Token]) -> None:
        for token in queryset:
            tokens.token_revoke(token=token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)


admin.site.register(FaultConfig)
