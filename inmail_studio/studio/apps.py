from django.apps import AppConfig


class StudioConfig(AppConfig):
    """The composition layer: pages that combine rooms (the editors, the drafts list, the review queue).

    It imports the rooms below it (accounts, ads, review, linkedin, guidance) and none of them import
    it. It has no models; its templates keep the paths they had (`ads/edit.html`, `review/queue.html`).
    """

    name = "inmail_studio.studio"
    label = "studio"
    verbose_name = "Studio"
