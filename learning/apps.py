from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learning import signals  # noqa: F401  (connects the receivers)
        from learning.credit_years import synced_after_migrate

        post_migrate.connect(synced_after_migrate, sender=self)
