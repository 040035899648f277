from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported in ready(): admin views and forms need the app registry loaded.
        from wagtail.admin.views import account

        from . import (
            idle,  # noqa: F401  (connects its log-in receiver)
            request_context,  # noqa: F401  (connects Celery's task signals)
        )
        from .forms import WagtailAccountNameForm

        # Wagtail's own "Name" panel edits first_name/last_name, which Leap's users do not
        # have, and offers no setting to swap its form (wagtail/wagtail#7410).
        account.NameEmailSettingsPanel.form_class = WagtailAccountNameForm


class LeapWagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user and group admin, with forms for Leap's user model and a recent log-in
    for changes (accounts.viewsets)."""

    user_viewset = "accounts.viewsets.UserViewSet"
    group_viewset = "accounts.viewsets.GroupViewSet"
