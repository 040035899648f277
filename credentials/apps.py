from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "Credentials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: signal receivers need the models loaded.
        from credentials import signals  # noqa: F401
        from credentials.selectors.reports import review_outcome_figures
        from learning.api import dashboard_figures_register

        # Review outcomes on the district dashboard, which learning draws without
        # importing credentials.
        dashboard_figures_register(review_outcome_figures)
