from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "inmail_studio.guidance"
    label = "guidance"
    verbose_name = "Guidance and forecast"
