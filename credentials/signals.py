"""Publishing a micro-credential without an image of its own gives it badge art, whichever
way it is published (the CMS, a scheduled go-live, code)."""

from django.dispatch import receiver
from wagtail.signals import page_published

from cms.models import MicroCredentialPage
from credentials.services.badge_art import badge_art_ensure


@receiver(page_published, sender=MicroCredentialPage)
def micro_credential_published(sender, instance, **kwargs) -> None:
    badge_art_ensure(page=instance)
