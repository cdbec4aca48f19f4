from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm

from inmail_studio.single_line import SingleLineFields, SingleLineModelForm

from .forms import AdminSignInForm
from .models import Membership, User, Workspace


class UserForm(SingleLineFields, UserChangeForm):
    """First and last names reach email subjects (via display names): one line each."""


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserForm
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Notifications", {"fields": ("email_notifications",)}))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    form = SingleLineModelForm
    list_display = ["name", "slug", "ad_account_urn", "ad_account_name"]
    search_fields = ["name", "slug", "ad_account_urn"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


# Django admin's own sign-in page gets the same brake and message as the product's (accounts.brake).
admin.site.login_form = AdminSignInForm
