from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "inmail_studio.review"
    label = "review"
    verbose_name = "Review and approval"

    def ready(self) -> None:
        # Subscribes to the ads room's `content_changed` (an edit voids a stale approval).
        from . import receivers  # noqa: F401
