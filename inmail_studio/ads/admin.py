from django.contrib import admin
from django.http import HttpRequest

from inmail_studio.single_line import SingleLineModelForm

from .models import Ad, Persona, Revision, Sender


@admin.register(Sender)
class SenderAdmin(admin.ModelAdmin):
    form = SingleLineModelForm
    list_display = ["name", "urn", "workspace", "permission"]
    list_filter = ["permission", "workspace"]
    search_fields = ["name", "urn"]


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    form = SingleLineModelForm
    list_display = ["label", "workspace", "first_name", "company"]
    list_filter = ["workspace"]


@admin.register(Ad)
class AdAdmin(admin.ModelAdmin):
    """Read-only here: ads change through the editor and the workflow, which keep revisions and audit."""

    list_display = ["name", "workspace", "kind", "state", "author", "updated_at"]
    list_filter = ["state", "kind", "workspace"]
    search_fields = ["name", "subject"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["ad", "number", "author", "created_at", "content_hash"]
    readonly_fields = [f.name for f in Revision._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
