"""Issuing, revoking and publishing badges. `assertion_award` is the one way to issue."""

import hashlib
import io
import json
import secrets
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urljoin, urlsplit

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from credentials import cache as public_cache
from credentials.images import default_badge_png, image_upload_check
from credentials.models import Assertion, BadgeClass, Issuer, IssuingArrangement
from credentials.selectors import issuer_for_award
from learning import services as learning_services
from learning.models import District

PLATFORM_ISSUER_DESCRIPTION = (
    "Leap issues micro-credentials that educators earn by submitting evidence from their own "
    "practice, assessed blind against a public rubric."
)


class AwardError(Exception):
    """The badge cannot be awarded as asked; the message says why."""


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
    district: District,
    name: str,
    url: str,
    email: str,
    description: str,
    image=None,
) -> Issuer:
    """Create or update the district's own issuer profile (one per district). `image`, an
    uploaded square PNG of 400 px or more or an SVG, replaces the current one; None keeps
    it. Raises ValidationError, saving nothing, when a value is not acceptable."""
    # Lock the district so two admins saving at once cannot both create a profile.
    District.objects.select_for_update().filter(pk=district.pk).first()
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
        except ValidationError as error:
            errors["image"] = error.messages
    if errors:
        raise ValidationError(errors)
    old_image = issuer.image.name if issuer.image else ""
    if image is not None:
        image.seek(0)
        issuer.image.save(f"{issuer.uuid}.{extension}", ContentFile(image.read()), save=False)
    issuer.save()
    if old_image and old_image != issuer.image.name:
        storage = issuer.image.storage
        transaction.on_commit(lambda: storage.delete(old_image))
    transaction.on_commit(lambda: public_cache.forget_issuer(issuer.uuid))
    return issuer


@transaction.atomic
def issuing_arrangements_set(*, issuer: Issuer, pages) -> list[IssuingArrangement]:
    """Make `pages` (micro-credential pages) exactly the ones the district issuer issues to
    its members under its own name. Badges already issued keep their issuer."""
    if issuer.district_id is None:
        raise ValidationError("Only a district's issuer profile issues under its own name.")
    wanted = {page.pk: page for page in pages}
    issuer.issuing_arrangements.exclude(micro_credential_id__in=wanted).delete()
    existing = set(issuer.issuing_arrangements.values_list("micro_credential_id", flat=True))
    IssuingArrangement.objects.bulk_create(
        IssuingArrangement(issuer=issuer, micro_credential=page)
        for pk, page in wanted.items()
        if pk not in existing
    )
    return list(issuer.issuing_arrangements.select_related("micro_credential"))


# Badge classes from micro-credential pages.


def _criteria_narrative(page) -> str:
    lines = [f"**Competency.** {page.competency}", "", "**Evidence to submit:**"]
    for block in page.requirements:
        value = block.value
        if block.block_type == "overview_question":
            lines.append(f"- Overview: {value['question']} (up to {value['word_limit']} words)")
        elif block.block_type == "artifact":
            lines.append(f"- {value['title']}: {value['guidance']}")
        else:
            lines.append(f"- Reflection: {value['prompt']} (up to {value['word_limit']} words)")
    lines += ["", "**Every rubric criterion must be met:**"]
    for number, block in enumerate(page.rubric, start=1):
        lines.append(f"{number}. {block.value['title']}: {block.value['meets']}")
    return "\n".join(lines)


def _alignments(page) -> list[dict]:
    from cms.selectors import explorer_page

    explorer = explorer_page()
    entries = []
    for element in page.aligned_elements:
        entry = {
            "targetName": f"{element.code} {element.name}",
            "targetCode": element.code,
            "targetFramework": element.framework.name,
        }
        # targetUrl is required (OB 2.0 and 3.0): the explorer's page for the element, or,
        # on a site without an explorer, the micro-credential page that names it.
        path = explorer.element_url(element) if explorer is not None else (page.url or "/")
        entry["targetUrl"] = urljoin(settings.SITE_URL + "/", path)
        if element.description:
            entry["targetDescription"] = element.description
        entries.append(entry)
    return entries


def _badge_image(page) -> tuple[bytes, str]:
    image = page.badge_image
    if image is None:
        return default_badge_png(page.title), "png"
    with image.file.open("rb") as handle:
        content = handle.read()
    return content, "svg" if image.is_svg() else "png"


def badge_class_snapshot(page, issuer: Issuer | None = None) -> dict:
    """What a badge class records of a micro-credential page, and its content hash. A
    district issuer is part of the hash, so it has versions of its own; the platform is
    not, so badge classes made before district issuers existed keep their hash."""
    image, extension = _badge_image(page)
    snapshot = {
        "name": page.title,
        "description": page.competency,
        "criteria_narrative": _criteria_narrative(page),
        "alignments": _alignments(page),
        "tags": sorted(
            {page.get_level_display(), *(e.framework.short_name for e in page.aligned_elements)}
            - {""}
        ),
        "validity_months": page.validity_months,
        "pd_hours": str(page.pd_hours),
        "image_sha256": hashlib.sha256(image).hexdigest(),
    }
    identity = dict(snapshot)
    if issuer is not None and not issuer.is_platform:
        identity["issuer"] = str(issuer.uuid)
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return {"fields": snapshot, "hash": digest, "image": image, "extension": extension}


def badge_class_for_micro_credential(*, page, recipient=None) -> BadgeClass:
    """The badge class for the page as published now, under the issuer that awards it to
    `recipient`: their district's, when the district issues this micro-credential under its
    own name (see `issuer_for_award`), otherwise (and without a recipient) the platform.
    The existing version when nothing that defines the badge changed, otherwise a new one.
    Every issuer's versions share the family, so a learner holds one live badge per
    micro-credential whoever issued it."""
    if not page.live:
        raise AwardError(f"“{page.title}” is not published, so it cannot be awarded yet.")
    issuer = None
    if recipient is not None:
        issuer = issuer_for_award(page=page, recipient=recipient)
    issuer = issuer or issuer_platform()
    family = f"micro-credential:{page.pk}"
    snapshot = badge_class_snapshot(page, issuer=issuer)
    versions = BadgeClass.objects.filter(family=family, issuer=issuer)
    existing = versions.filter(content_hash=snapshot["hash"]).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        latest = versions.select_for_update().order_by("-version").first()
        version = latest.version + 1 if latest else 1
        fields = snapshot["fields"]
        badge_class = BadgeClass(
            issuer=issuer,
            family=family,
            version=version,
            micro_credential=page,
            name=fields["name"],
            description=fields["description"],
            criteria_url=urljoin(settings.SITE_URL + "/", page.url or "/"),
            criteria_narrative=fields["criteria_narrative"],
            alignments=fields["alignments"],
            tags=fields["tags"],
            validity_months=page.validity_months,
            pd_hours=page.pd_hours,
            content_hash=snapshot["hash"],
        )
        badge_class.image.save(
            f"{page.slug}-v{version}.{snapshot['extension']}",
            ContentFile(snapshot["image"]),
            save=False,
        )
        try:
            with transaction.atomic():
                badge_class.save()
        except IntegrityError:  # the same version was made at the same moment elsewhere
            return versions.get(content_hash=snapshot["hash"])
        return badge_class


# Assertions.


def identity_hash(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.lower() + salt).encode()).hexdigest()


def _expiry(badge_class: BadgeClass, issued_on: datetime) -> datetime | None:
    if not badge_class.validity_months:
        return None
    return issued_on + relativedelta(months=badge_class.validity_months)


def assertion_award(
    *,
    recipient,
    badge_class: BadgeClass,
    evidence: str | None = None,
    narrative: str = "",
    awarded_by=None,
    notify: bool = True,
) -> Assertion:
    """Award a badge: one transaction; at most one live assertion per recipient and badge
    family, so a repeat or concurrent call returns the assertion already issued. A badge
    that expired or was revoked can be earned again. After commit, the image is baked and
    (unless `notify` is false) the learner is told by e-mail."""
    assertion, _created = assertion_award_or_get(
        recipient=recipient,
        badge_class=badge_class,
        evidence=evidence,
        narrative=narrative,
        awarded_by=awarded_by,
        notify=notify,
    )
    return assertion


def assertion_award_or_get(
    *,
    recipient,
    badge_class: BadgeClass,
    evidence: str | None = None,
    narrative: str = "",
    awarded_by=None,
    notify: bool = True,
) -> tuple[Assertion, bool]:
    """`assertion_award`, also saying whether a new assertion was made (False: the
    recipient already held the badge)."""
    try:
        with transaction.atomic():
            current = (
                Assertion.objects.select_for_update()
                .filter(recipient=recipient, badge_family=badge_class.family, is_current=True)
                .first()
            )
            if current is not None:
                if current.status == Assertion.Status.VALID:
                    return current, False
                current.is_current = False  # expired: keep it on record, allow renewal
                current.save(update_fields=["is_current", "updated_at"])
            salt = secrets.token_hex(16)
            issued_on = timezone.now()
            assertion = Assertion.objects.create(
                badge_class=badge_class,
                badge_family=badge_class.family,
                recipient=recipient,
                recipient_email=recipient.email,
                salt=salt,
                identity_hash=identity_hash(recipient.email, salt),
                issued_on=issued_on,
                expires_on=_expiry(badge_class, issued_on),
                evidence_url=evidence or "",
                narrative=narrative,
                awarded_by=awarded_by,
            )
            _tell_learning_awarded(assertion)
    except IntegrityError:
        # Another call awarded the same badge at the same moment: theirs is the one.
        existing = Assertion.objects.get(
            recipient=recipient, badge_family=badge_class.family, is_current=True
        )
        return existing, False
    transaction.on_commit(lambda: _after_award(assertion.pk, notify))
    return assertion, True


def _tell_learning_awarded(assertion: Assertion) -> None:
    """Credit the hours and complete the pathway steps this badge stands for."""
    from credentials.openbadges import assertion_id

    badge_class = assertion.badge_class
    learning_services.badge_earned(
        user=assertion.recipient,
        micro_credential_id=badge_class.micro_credential_id,
        title=badge_class.name,
        hours=badge_class.pd_hours,
        earned_on=timezone.localdate(assertion.issued_on),
        key=str(assertion.uuid),
        url=assertion_id(assertion),
        expires_on=timezone.localdate(assertion.expires_on) if assertion.expires_on else None,
    )


def _after_award(assertion_id: int, notify: bool) -> None:
    from credentials import tasks

    tasks.assertion_bake.delay(assertion_id)
    if notify:
        tasks.assertion_email_awarded.delay(assertion_id)


@transaction.atomic
def assertion_revoke(*, assertion: Assertion, reason: str, revoked_by) -> Assertion:
    """Revoke with a reason (required). Every public view changes at once."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise AwardError("Give a reason for revoking the badge; it is shown to verifiers.")
    assertion = Assertion.objects.select_for_update().get(pk=assertion.pk)
    if assertion.revoked:
        return assertion
    assertion.revoked = True
    assertion.revocation_reason = reason
    assertion.revoked_at = timezone.now()
    assertion.revoked_by = revoked_by
    assertion.is_current = False
    assertion.save()
    learning_services.badge_withdrawn(
        user=assertion.recipient, key=str(assertion.uuid), reason=f"Badge revoked: {reason}"
    )
    transaction.on_commit(lambda: public_cache.forget_assertion(assertion.uuid))
    return assertion


@transaction.atomic
def assertion_set_public(*, assertion: Assertion, is_public: bool) -> Assertion:
    assertion.is_public = is_public
    assertion.save(update_fields=["is_public", "updated_at"])
    transaction.on_commit(lambda: public_cache.forget_assertion(assertion.uuid))
    return assertion


def assertion_bake(*, assertion: Assertion) -> Assertion:
    """Bake the assertion into a copy of its badge image (PNG, or SVG for SVG badges)."""
    from openbadges_bakery import bake

    from credentials.openbadges import assertion_json

    with assertion.badge_class.image.open("rb") as source:
        image = source.read()
    extension = "svg" if assertion.badge_class.image_is_svg else "png"
    baked = bake(io.BytesIO(image), json.dumps(assertion_json(assertion)))
    baked.seek(0)
    content = baked.read()
    assertion.baked_image.save(f"{assertion.uuid}.{extension}", ContentFile(content), save=False)
    Assertion.objects.filter(pk=assertion.pk).update(baked_image=assertion.baked_image.name)
    return assertion


REMINDER_DAYS_BEFORE_EXPIRY = 30


def assertions_due_expiry_reminder(*, now: datetime | None = None) -> list[int]:
    """Claim the live assertions that expire within the reminder window and have not been
    reminded yet; returns their ids. Claiming marks them, so no learner is told twice even
    if two schedulers run."""
    now = now or timezone.now()
    window_end = now + relativedelta(days=REMINDER_DAYS_BEFORE_EXPIRY)
    with transaction.atomic():
        due = list(
            Assertion.objects.live()
            .select_for_update(skip_locked=True)
            .filter(expires_on__lte=window_end, expiry_reminder_sent_at__isnull=True)
            .values_list("pk", flat=True)
        )
        Assertion.objects.filter(pk__in=due).update(expiry_reminder_sent_at=now)
    return due
