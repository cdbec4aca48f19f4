from django.apps import AppConfig


class LinkedInConfig(AppConfig):
    name = "inmail_studio.linkedin"
    label = "linkedin"
    verbose_name = "LinkedIn integration"

    def ready(self) -> None:
        # Subscribes to the review room's `approved` (the approved revision is synced), and registers
        # the tasks the outbox sends (`services.outbox.tasks_register`).
        from . import receivers, tasks  # noqa: F401
