from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learning import signals  # noqa: F401  (connects the receivers)
        from learning.credit_years import CREDIT_YEARS

        post_migrate.connect(CREDIT_YEARS.after_migrate, sender=self)
