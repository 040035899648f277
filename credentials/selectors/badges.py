"""Reads about badges: the public verification pages, a learner's badges, and which issuer
awards a micro-credential to whom."""

from django.shortcuts import get_object_or_404

from accounts.models import User
from cms.models import MicroCredentialPage
from cms.selectors import badge_image_prefetch
from credentials.models import Assertion, BadgeClass, Issuer
from credentials.openbadges import ob2
from learning import api as learning


def assertion_public_get(*, uuid) -> dict:
    """What the public verification page shows of an assertion (404 when unknown)."""
    assertion = get_object_or_404(
        Assertion.objects.select_related("badge_class__issuer", "recipient"), uuid=uuid
    )
    return {
        "assertion": assertion,
        "badge_class": assertion.badge_class,
        "issuer": assertion.badge_class.issuer,
        "status": assertion.status,
        "json_url": ob2.assertion_id(assertion),
        "badge_json_url": ob2.badge_class_id(assertion.badge_class),
        "issuer_json_url": ob2.issuer_id(assertion.badge_class.issuer),
    }


def badge_class_public_get(*, uuid) -> dict:
    badge_class = get_object_or_404(BadgeClass.objects.select_related("issuer"), uuid=uuid)
    return {
        "badge_class": badge_class,
        "issuer": badge_class.issuer,
        "json_url": ob2.badge_class_id(badge_class),
    }


def assertion_list(*, recipient: User) -> list[Assertion]:
    """A learner's badges, newest first, with what their page shows."""
    return list(
        Assertion.objects.filter(recipient=recipient)
        .select_related("badge_class__issuer")
        .order_by("-issued_on")
    )


def award_issuer_get(*, page: MicroCredentialPage, recipient: User) -> Issuer | None:
    """The district issuer that awards this micro-credential to the recipient: that of an
    active district the recipient is an active member of, with an arrangement to issue the
    page. When several districts qualify, the one the recipient joined first. None: the
    platform issues it."""
    district_ids = learning.district_ids_of(user=recipient)
    if not district_ids:
        return None
    issuers = {
        issuer.district_id: issuer
        for issuer in Issuer.objects.filter(
            district_id__in=district_ids, issuing_arrangements__micro_credential_id=page.pk
        )
    }
    return next((issuers[pk] for pk in district_ids if pk in issuers), None)


def award_issuers_get(*, page: MicroCredentialPage, district_ids_of: dict) -> dict:
    """`award_issuer_get` for many recipients at once, given each one's district ids (the
    one joined first first): {recipient id: Issuer or None}; one query."""
    wanted = {pk for ids in district_ids_of.values() for pk in ids}
    issuers = {
        issuer.district_id: issuer
        for issuer in Issuer.objects.filter(
            district_id__in=wanted, issuing_arrangements__micro_credential_id=page.pk
        )
    }
    return {
        user_id: next((issuers[pk] for pk in ids if pk in issuers), None)
        for user_id, ids in district_ids_of.items()
    }


def district_issuer_get(*, district) -> Issuer | None:
    """The district's own issuer profile, if it has made one."""
    return Issuer.objects.filter(district=district).first()


def issuing_page_list(*, issuer: Issuer | None) -> list[MicroCredentialPage]:
    """The micro-credentials a district issuer issues under its own name."""
    if issuer is None:
        return []
    return [
        arrangement.micro_credential
        for arrangement in issuer.issuing_arrangements.select_related("micro_credential")
    ]


def issuer_offer_list(*, issuer: Issuer) -> list[MicroCredentialPage]:
    """The published micro-credentials an issuer awards, by title, with their badge images:
    for the platform, every public one; for a district, those it issues to its members
    under its own name."""
    pages = MicroCredentialPage.objects.live().public()
    if not issuer.is_platform:
        pages = pages.filter(issuing_arrangements__issuer=issuer)
    return list(pages.prefetch_related(badge_image_prefetch()).order_by("title").distinct())


def badge_figure_list() -> list[dict]:
    """For the home page: badges earned so far (every one issued and not revoked)."""
    return [{"value": Assertion.objects.filter(revoked=False).count(), "label": "badges earned"}]
