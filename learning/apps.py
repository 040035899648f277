from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learning import signals  # noqa: F401  (connects the receivers)
        from learning.activity_years import ACTIVITY_YEARS, DISTRICT_ACTIVITY, DISTRICT_BADGES

        # The groups' after the people's.
        for rollup in (*ACTIVITY_YEARS, DISTRICT_ACTIVITY, DISTRICT_BADGES):
            post_migrate.connect(rollup.after_migrate, sender=self)
