"""Settings → Queued work: the staff screen of the outbox (accounts.outbox_views)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts import outbox_views


class StaffOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("accounts.view_outboxmessage")


@hooks.register("register_admin_urls")
def outbox_urls():
    return [
        path("queued-work/", outbox_views.outbox_attention, name="outbox_attention"),
        path("queued-work/<int:pk>/retry/", outbox_views.outbox_retry_view, name="outbox_retry"),
    ]


@hooks.register("register_settings_menu_item")
def outbox_menu_item():
    return StaffOnlyMenuItem(
        "Queued work", reverse("outbox_attention"), icon_name="time", order=900
    )
