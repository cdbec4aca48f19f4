"""Admin views of the LinkedIn integration. Token ciphertexts are never shown (not even encrypted)."""

from django.contrib import admin

from .models import AdLinkedIn, Campaign, LinkedInConnection, SyncAttempt, SyncCall, TestSend


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


class SyncCallInline(admin.TabularInline):
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
class SyncAttemptAdmin(admin.ModelAdmin):
    list_display = ("ad", "revision_hash", "status", "step", "tries", "queued_at", "finished_at")
    list_filter = ("status",)
    inlines = [SyncCallInline]


admin.site.register(AdLinkedIn)
admin.site.register(Campaign)
admin.site.register(TestSend)
