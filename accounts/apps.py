from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"


class LeapWagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with forms for Leap's user model (display name, no username)."""

    user_viewset = "accounts.viewsets.UserViewSet"
