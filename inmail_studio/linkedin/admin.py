"""Admin views of the LinkedIn integration. Token ciphertexts are never shown (not even encrypted).

The ledger (attempts, their calls, test sends) and what each ad is on LinkedIn are records of what
happened: they can be read here but not changed, or a staff member could fake a sync that a test
send and a launch would then trust.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AdLinkedIn, Campaign, ConnectionEvent, LinkedInConnection, SyncAttempt, SyncCall, TestSend


@admin.register(LinkedInConnection)
class LinkedInConnectionAdmin(admin.ModelAdmin):
    list_display = ("workspace", "status", "member_urn", "expires_at", "connected_at")
    exclude = ("access_token_ciphertext", "refresh_token_ciphertext")
    readonly_fields = (
        "workspace",
        "member_urn",
        "member_name",
        "expires_at",
        "refresh_expires_at",
        "scopes",
        "connected_by",
        "connected_at",
        "refreshed_at",
    )


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SyncCallInline(ReadOnly, admin.TabularInline):
    model = SyncCall
    extra = 0
    can_delete = False
    readonly_fields = (
        "step",
        "method",
        "resource",
        "http_status",
        "request_id",
        "duration_ms",
        "error",
        "note",
        "at",
    )


@admin.register(SyncAttempt)
class SyncAttemptAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("ad", "revision_hash", "status", "step", "tries", "queued_at", "finished_at")
    list_filter = ("status",)
    inlines = [SyncCallInline]


@admin.register(AdLinkedIn)
class AdLinkedInAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("ad", "campaign_urn", "creative_urn", "synced_at")


@admin.register(TestSend)
class TestSendAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("ad", "revision_hash", "status", "recipient_urn", "created_at", "finished_at")
    list_filter = ("status",)


@admin.register(ConnectionEvent)
class ConnectionEventAdmin(ReadOnly, admin.ModelAdmin):
    """The connection's audit trail (who connected or disconnected, what LinkedIn revoked): read-only."""

    list_display = ("workspace", "action", "actor", "member_urn", "created_at", "ip")
    list_filter = ("action",)


admin.site.register(Campaign)
