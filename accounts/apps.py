from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    from accounts.roles import ensure_instructor_group

    ensure_instructor_group()


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Permissions are created after migrations, so the group is synced then.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.sync_roles")
        # Failed passwords count towards the log-in throttle wherever they are typed.
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import throttle

        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="accounts.throttle")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="accounts.throttle")
