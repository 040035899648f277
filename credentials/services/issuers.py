"""Issuer profiles: the platform's own, and a district's (with the micro-credentials it
issues to its members under its own name)."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from accounts.errors import LeapError
from cms.models import MicroCredentialPage
from credentials.models import Issuer, IssuingArrangement
from credentials.openbadges import cache as public_cache
from credentials.openbadges.images import image_for_storage, image_upload_check
from learning import api as learning

PLATFORM_ISSUER_DESCRIPTION = (
    "Leap issues micro-credentials that educators earn by submitting evidence from their own "
    "practice, assessed blind against a public rubric."
)


def issuer_platform() -> Issuer:
    """The platform's own issuer profile, created from settings on first use."""
    issuer = Issuer.objects.filter(is_platform=True).first()
    if issuer is not None:
        return issuer
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    try:
        with transaction.atomic():
            return Issuer.objects.create(
                is_platform=True,
                name=settings.LEAP_ISSUER_NAME,
                url=settings.SITE_URL + "/",
                email=settings.LEAP_ISSUER_EMAIL or email,
                description=PLATFORM_ISSUER_DESCRIPTION,
            )
    except IntegrityError:  # created meanwhile by another process
        return Issuer.objects.get(is_platform=True)


@transaction.atomic
def issuer_for_district_save(
    *,
    district,
    name: str,
    url: str,
    email: str,
    description: str,
    image=None,
) -> Issuer:
    """Create or update the district's own issuer profile (one per district). `image`, an
    uploaded square PNG of 400 px or more or an SVG, replaces the current one; None keeps
    it. Raises LeapError (with the problems per field), saving nothing, when a value is not
    acceptable."""
    # Lock the district so two admins saving at once cannot both create a profile.
    learning.district_lock(district=district)
    issuer = Issuer.objects.filter(district=district).first() or Issuer(district=district)
    issuer.name = " ".join((name or "").split())
    issuer.url = (url or "").strip()
    issuer.email = (email or "").strip()
    issuer.description = (description or "").strip()
    errors = {}
    try:
        issuer.full_clean(exclude=["image"])
    except ValidationError as error:
        errors = error.message_dict
    if "url" not in errors and urlsplit(issuer.url).scheme not in ("http", "https"):
        errors["url"] = ["Enter a web address that starts with https:// or http://."]
    if image is not None:
        try:
            extension = image_upload_check(image)
            image.seek(0)
            content = image_for_storage(image.read(), extension)
        except ValidationError as error:
            errors["image"] = error.messages
    if errors:
        raise LeapError(fields=errors)
    old_image = issuer.image.name if issuer.image else ""
    if image is not None:
        issuer.image.save(f"{issuer.uuid}.{extension}", ContentFile(content), save=False)
    issuer.save()
    if old_image and old_image != issuer.image.name:
        storage = issuer.image.storage
        transaction.on_commit(lambda: storage.delete(old_image))
    transaction.on_commit(lambda: public_cache.forget_issuer(issuer.uuid))
    return issuer


@transaction.atomic
def issuing_arrangements_set(
    *, issuer: Issuer, pages: list[MicroCredentialPage]
) -> list[IssuingArrangement]:
    """Make `pages` (micro-credential pages) exactly the ones the district issuer issues to
    its members under its own name. Badges already issued keep their issuer."""
    if issuer.district_id is None:
        raise LeapError("Only a district's issuer profile issues under its own name.")
    wanted = {page.pk: page for page in pages}
    issuer.issuing_arrangements.exclude(micro_credential_id__in=wanted).delete()
    existing = set(issuer.issuing_arrangements.values_list("micro_credential_id", flat=True))
    IssuingArrangement.objects.bulk_create(
        IssuingArrangement(issuer=issuer, micro_credential=page)
        for pk, page in wanted.items()
        if pk not in existing
    )
    return list(issuer.issuing_arrangements.select_related("micro_credential"))


@transaction.atomic
def district_issuer_save(
    *,
    district,
    name: str,
    url: str,
    email: str,
    description: str,
    image=None,
    pages: list[MicroCredentialPage],
) -> Issuer:
    """Save a district's issuer profile and the micro-credentials it issues, together or
    not at all. Arrangements for pages that are not published now are kept (they are not
    offered on the form)."""
    learning.district_lock(district=district)  # before reading what it issues now
    arranged = IssuingArrangement.objects.filter(issuer__district=district).select_related(
        "micro_credential"
    )
    unpublished = [a.micro_credential for a in arranged if not a.micro_credential.live]
    issuer = issuer_for_district_save(
        district=district, name=name, url=url, email=email, description=description, image=image
    )
    issuing_arrangements_set(issuer=issuer, pages=[*pages, *unpublished])
    return issuer
