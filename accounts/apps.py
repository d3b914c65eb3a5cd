from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, teams and divisions"

    def ready(self) -> None:
        from accounts.services import install_role_groups

        # The administrator's group needs the permissions Django creates after migrating each app.
        post_migrate.connect(install_role_groups, dispatch_uid="accounts.install_role_groups")
