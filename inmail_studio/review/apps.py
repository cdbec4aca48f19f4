from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "inmail_studio.review"
    label = "review"
    verbose_name = "Review and approval"
