from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from inmail_studio.single_line import SingleLineFields

from .models import User


class SettingsForm(SingleLineFields, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "email_notifications"]
        labels = {"email_notifications": "Email me about reviews"}


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your settings are saved.")
            return redirect("accounts:settings")
        messages.error(request, "Your settings were not saved; see the marked fields.")
    return render(request, "accounts/settings.html", {"form": form}, status=422 if form.errors else 200)
