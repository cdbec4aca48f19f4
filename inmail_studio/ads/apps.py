from django.apps import AppConfig
from django.db.models.signals import post_save


class AdsConfig(AppConfig):
    name = "inmail_studio.ads"
    label = "ads"
    verbose_name = "Ads"

    def ready(self) -> None:
        from inmail_studio.accounts.models import Workspace

        post_save.connect(_give_personas, sender=Workspace, dispatch_uid="ads_default_personas")


def _give_personas(
    sender: type, instance: object, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """Every new workspace starts with the built-in sample members, which it may then edit."""
    if created and not raw:
        from .services import personas_ensure

        personas_ensure(workspace=instance)  # type: ignore[arg-type]
