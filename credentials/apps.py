from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "Credentials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: signal receivers need the models loaded.
        from credentials import signals  # noqa: F401
        from credentials.decision_years import DECISION_YEARS, DISTRICT_DECISIONS
        from credentials.selectors.reports import review_outcome_figures
        from learning.api import dashboard_figures_register

        # Review outcomes on the district dashboard, which learning draws without
        # importing credentials.
        dashboard_figures_register(review_outcome_figures)
        post_migrate.connect(DECISION_YEARS.after_migrate, sender=self)
        post_migrate.connect(DISTRICT_DECISIONS.after_migrate, sender=self)  # after the people's
