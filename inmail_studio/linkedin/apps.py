from django.apps import AppConfig


class LinkedInConfig(AppConfig):
    name = "inmail_studio.linkedin"
    label = "linkedin"
    verbose_name = "LinkedIn integration"
