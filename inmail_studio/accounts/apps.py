from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "inmail_studio.accounts"
    label = "accounts"
    verbose_name = "Accounts and workspaces"
