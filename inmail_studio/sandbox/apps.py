from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "inmail_studio.sandbox"
    label = "sandbox"
    verbose_name = "LinkedIn sandbox"
