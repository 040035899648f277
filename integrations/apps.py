from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "District integrations"

    def ready(self) -> None:
        from integrations import receivers  # noqa: F401  (webhook events, by signal)
