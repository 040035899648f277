"""Issuing, revoking and publishing badges. `assertion_award` is the one way to issue."""

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from urllib.parse import urljoin

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, audit_record, audit_record_many, person_label
from accounts.errors import LeapError
from accounts.jobs import job_enqueue_on_commit
from accounts.models import User
from accounts.services import Notice, notify, notify_many
from cms.models import MicroCredentialPage
from cms.selectors import explorer_page_get
from credentials.events import badge_awarded, badge_revoked, badges_awarded
from credentials.models import Assertion, BadgeClass, Issuer
from credentials.openbadges import cache as public_cache
from credentials.openbadges import ob2
from credentials.openbadges.images import image_for_storage
from credentials.openbadges.status_list import status_entries_allocate, status_entry_get
from credentials.selectors.badges import award_issuer_get
from credentials.services.badge_art import (
    badge_art_draw,
    badge_art_is_generated,
    badge_art_key_for,
)
from credentials.services.issuers import issuer_platform
from learning import api as learning_api
from learning import services as learning_services

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
    explorer = explorer_page_get()
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


def _badge_image(page, issuer: Issuer | None) -> tuple[dict, Callable[[], bytes], str]:
    """What identifies the badge's image, a way to read it, and its extension. The page's
    stored image is identified by its bytes (they never change). Art drawn here (the page
    has none yet, or its generated art names the platform and a district issues this
    version, so the art names the district) is identified by what it is drawn from and
    `ART_VERSION`, not by its bytes, which another Pillow or FreeType may change: it is
    drawn only when a new version is made."""
    image = page.badge_image
    district = issuer is not None and not issuer.is_platform
    if image is None or (district and badge_art_is_generated(image)):
        name = issuer.name if district else None
        identity = {"image_art": badge_art_key_for(page=page, issuer_name=name)}
        return identity, partial(badge_art_draw, page=page, issuer_name=name), "png"
    with image.file.open("rb") as handle:
        content = handle.read()
    identity = {"image_sha256": hashlib.sha256(content).hexdigest()}
    kind = "svg" if image.is_svg() else "png"
    # An editor's SVG is kept passive in the badge (it travels to backpacks).
    return identity, partial(image_for_storage, content, kind), kind


def badge_class_snapshot(page, issuer: Issuer | None = None) -> dict:
    """What a badge class records of a micro-credential page, and its content hash. A
    district issuer is part of the hash, so it has versions of its own; the platform is
    not, so badge classes made before district issuers existed keep their hash. The image
    is in `read_image`, read (or drawn) only when called."""
    image_identity, read_image, extension = _badge_image(page, issuer)
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
        **image_identity,
    }
    identity = dict(snapshot)
    if issuer is not None and not issuer.is_platform:
        identity["issuer"] = str(issuer.uuid)
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return {"fields": snapshot, "hash": digest, "read_image": read_image, "extension": extension}


def badge_class_for_micro_credential(
    *, page: MicroCredentialPage, recipient: User | None = None
) -> BadgeClass:
    """The badge class for the page as published now, under the issuer that awards it to
    `recipient`: their district's, when the district issues this micro-credential under its
    own name (see `selectors.badges.award_issuer_get`), otherwise (and without a recipient)
    the platform. The existing version when nothing that defines the badge changed,
    otherwise a new one. Every issuer's versions share the family, so a learner holds one
    live badge per micro-credential whoever issued it."""
    if not page.live:
        raise LeapError(f"“{page.title}” is not published, so it cannot be awarded yet.")
    issuer = None
    if recipient is not None:
        issuer = award_issuer_get(page=page, recipient=recipient)
    issuer = issuer or issuer_platform()
    family = BadgeClass.family_for(page.pk)
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
            ContentFile(snapshot["read_image"]()),
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
    recipient: User,
    badge_class: BadgeClass,
    evidence: str | None = None,
    narrative: str = "",
    awarded_by=None,
    notify: bool = True,
    credit_hours: bool = True,
    how: str = "",
) -> Assertion:
    """Award a badge: one transaction; at most one live assertion per recipient and badge
    family, so a repeat or concurrent call returns the assertion already issued. A badge
    that expired or was revoked can be earned again. The learner is told (unless `notify` is
    false: the caller tells them itself), in the site and, unless they turned such updates
    off, by e-mail; after commit, the image is baked. The audit log records the award, by
    `awarded_by` (None: Leap, on a decision or a completion), saying `how`."""
    assertion, _created = assertion_award_or_get(
        recipient=recipient,
        badge_class=badge_class,
        evidence=evidence,
        narrative=narrative,
        awarded_by=awarded_by,
        notify=notify,
        credit_hours=credit_hours,
        how=how,
    )
    return assertion


def assertion_award_or_get(
    *,
    recipient: User,
    badge_class: BadgeClass,
    evidence: str | None = None,
    narrative: str = "",
    awarded_by=None,
    notify: bool = True,
    credit_hours: bool = True,
    how: str = "",
) -> tuple[Assertion, bool]:
    """`assertion_award`, also saying whether a new assertion was made (False: the
    recipient already held the badge). `credit_hours=False` records the badge on the
    transcript with no hours, for a badge whose hours are credited another way (a book
    club's completion badge: the club's own line carries them)."""
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
            assertion = _new_assertion(
                recipient=recipient,
                badge_class=badge_class,
                evidence=evidence,
                narrative=narrative,
                awarded_by=awarded_by,
                issued_on=timezone.now(),
            )
            assertion.save(force_insert=True)
            status_entry_get(assertion)  # its bit in the issuer's status list
            _tell_learning_awarded(assertion, credit_hours=credit_hours)
            _audit(assertion, Action.BADGE_AWARDED, actor=awarded_by, summary=how or "Awarded")
            if notify:
                assertion_notify_awarded(assertion=assertion)
            badge_awarded.send(sender=Assertion, assertion=assertion)
    except IntegrityError:
        # Another call awarded the same badge at the same moment: theirs is the one.
        existing = Assertion.objects.get(
            recipient=recipient, badge_family=badge_class.family, is_current=True
        )
        return existing, False
    job_enqueue_on_commit(
        "credentials.tasks.assertion_bake",
        assertion.pk,
        label=f"baking badge {assertion.uuid}",
        dedupe_key=f"assertion-bake:{assertion.pk}",
    )
    return assertion, True


def _new_assertion(
    *,
    recipient: User,
    badge_class: BadgeClass,
    evidence: str | None,
    narrative: str,
    awarded_by,
    issued_on: datetime,
) -> Assertion:
    salt = secrets.token_hex(16)
    return Assertion(
        badge_class=badge_class,
        badge_family=badge_class.family,
        recipient=recipient,
        recipient_email=recipient.email,
        salt=salt,
        identity_hash=identity_hash(recipient.email, salt),
        subject_id=recipient.credential_subject,
        issued_on=issued_on,
        expires_on=_expiry(badge_class, issued_on),
        evidence_url=evidence or "",
        narrative=narrative,
        awarded_by=awarded_by,
    )


@dataclass(frozen=True)
class Award:
    """One badge of a bulk award (`assertions_award`)."""

    recipient: User
    badge_class: BadgeClass
    evidence: str = ""
    narrative: str = ""
    how: str = ""


@transaction.atomic
def assertions_award(
    *, awards: list[Award], awarded_by=None, districts_of: dict | None = None
) -> list[tuple[Assertion, bool]]:
    """`assertion_award_or_get` for many badges at once (a bulk award's chunk), with the
    same outcome for each (one live badge per person and family, the credit, the pathways
    it completes, the audit entry, the notice and e-mail, the webhooks, the baked image),
    in a number of queries that does not grow with the chunk. Returns (assertion, created)
    for each award, in order. An award made meanwhile by another process for one of these
    people makes the whole call fail with IntegrityError, changing nothing: the caller
    then does the awards one by one. `districts_of` (from `learning.api.districts_of_users`,
    for these recipients) saves reading their districts again."""
    results: list[tuple[Assertion, bool] | None] = [None] * len(awards)
    current = {
        (held.recipient_id, held.badge_family): held
        for held in Assertion.objects.select_for_update().filter(
            recipient_id__in={a.recipient.pk for a in awards},
            badge_family__in={a.badge_class.family for a in awards},
            is_current=True,
        )
    }
    issued_on = timezone.now()
    made: dict[tuple, Assertion] = {}
    retired, new = [], []
    for number, award in enumerate(awards):
        key = (award.recipient.pk, award.badge_class.family)
        held = made.get(key) or current.get(key)
        if held is not None and held.status == Assertion.Status.VALID:
            results[number] = (held, False)
            continue
        if held is not None:
            retired.append(held.pk)  # expired: kept on record, and earned again
        assertion = _new_assertion(
            recipient=award.recipient,
            badge_class=award.badge_class,
            evidence=award.evidence,
            narrative=award.narrative,
            awarded_by=awarded_by,
            issued_on=issued_on,
        )
        made[key] = assertion
        new.append((award, assertion))
        results[number] = (assertion, True)
    if retired:
        Assertion.objects.filter(pk__in=retired).update(is_current=False, updated_at=issued_on)
    assertions = Assertion.objects.bulk_create([assertion for _award, assertion in new])
    if not assertions:
        return results
    by_issuer: dict[int, list[Assertion]] = {}
    for assertion in assertions:
        by_issuer.setdefault(assertion.badge_class.issuer_id, []).append(assertion)
    for group in by_issuer.values():
        status_entries_allocate(assertions=group, issuer=group[0].badge_class.issuer)
    if districts_of is None:
        districts_of = learning_api.districts_of_users(
            user_ids={a.recipient_id for a in assertions}
        )
    learning_services.badges_earned(
        earned=[_earned(assertion) for assertion in assertions], districts_of=districts_of
    )
    records = []
    for award, assertion in new:
        issuer = assertion.badge_class.issuer
        district = (
            issuer.district
            if issuer.district_id is not None
            else next(iter(districts_of.get(assertion.recipient_id, [])), None)
        )
        records.append(_audit_fields(assertion, summary=award.how or "Awarded", district=district))
    audit_record_many(action=Action.BADGE_AWARDED, actor=awarded_by, records=records)
    notify_many(notices=[_awarded_notice(assertion) for assertion in assertions])
    badges_awarded.send(sender=Assertion, assertions=assertions)
    job_enqueue_on_commit(
        "credentials.tasks.assertions_bake",
        [assertion.pk for assertion in assertions],
        label=f"baking {len(assertions)} badges",
    )
    return results


def _audit_fields(assertion: Assertion, *, summary: str, district) -> dict:
    return {
        "target": assertion,
        "target_label": f"“{assertion.badge_class.name}” for {person_label(assertion.recipient)}",
        "district": district,
        "summary": summary,
        "details": {"assertion": str(assertion.uuid), "badge_class": assertion.badge_class_id},
    }


def _audit(assertion: Assertion, action: str, *, actor: User | None, summary: str) -> None:
    """An award or revocation in the audit log, for the district whose admins see it: the
    issuer's, when a district issued the badge, else the recipient's own."""
    issuer = assertion.badge_class.issuer
    district = (
        issuer.district
        if issuer.district_id is not None or assertion.recipient is None
        else learning_api.district_of(user=assertion.recipient)
    )
    audit_record(
        action=action, actor=actor, **_audit_fields(assertion, summary=summary, district=district)
    )


def _earned(assertion: Assertion, *, credit_hours: bool = True) -> learning_services.BadgeEarned:
    badge_class = assertion.badge_class
    return learning_services.BadgeEarned(
        user=assertion.recipient,
        micro_credential_id=badge_class.micro_credential_id,
        title=badge_class.name,
        hours=badge_class.pd_hours if credit_hours else Decimal("0"),
        earned_on=timezone.localdate(assertion.issued_on),
        key=str(assertion.uuid),
        url=ob2.assertion_id(assertion),
        image_url=reverse("credentials:assertion_image", args=[assertion.uuid]),
        expires_on=timezone.localdate(assertion.expires_on) if assertion.expires_on else None,
    )


def _tell_learning_awarded(assertion: Assertion, *, credit_hours: bool = True) -> None:
    """Credit the hours and complete the pathway steps this badge stands for."""
    learning_services.badge_earned(**vars(_earned(assertion, credit_hours=credit_hours)))


def _awarded_notice(assertion: Assertion) -> Notice:
    name = assertion.badge_class.name
    return Notice(
        user=assertion.recipient,
        message=f"You earned “{name}”.",
        url=reverse("my_badges"),
        email_template="credentials/email/awarded",
        context={
            "assertion": assertion,
            "badge_name": name,
            "verify_url": ob2.assertion_id(assertion),
        },
        essential=False,  # news, not a decision on work the learner sent
    )


def assertion_notify_awarded(*, assertion: Assertion) -> None:
    """Tell the learner they earned the badge (in the site; by e-mail unless they turned
    such news off)."""
    notify_many(notices=[_awarded_notice(assertion)])


@transaction.atomic
def assertion_revoke(*, assertion: Assertion, reason: str, revoked_by: User | None) -> Assertion:
    """Revoke with a reason (required). Every public view changes at once."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise LeapError("Give a reason for revoking the badge; it is shown to verifiers.")
    assertion = Assertion.objects.select_for_update().get(pk=assertion.pk)
    if assertion.revoked:
        return assertion
    assertion.revoked = True
    assertion.revocation_reason = reason
    assertion.revoked_at = timezone.now()
    assertion.revoked_by = revoked_by
    assertion.is_current = False
    assertion.save()
    if assertion.recipient_id is not None:  # else the account, and its credit, are gone
        learning_services.badge_withdrawn(
            user=assertion.recipient, key=str(assertion.uuid), reason=f"Badge revoked: {reason}"
        )
    _audit(assertion, Action.BADGE_REVOKED, actor=revoked_by, summary=f"Revoked: {reason}")
    badge_revoked.send(sender=Assertion, assertion=assertion)
    transaction.on_commit(lambda: public_cache.forget_assertion(assertion.uuid))
    return assertion


@transaction.atomic
def assertion_set_public(*, assertion: Assertion, is_public: bool) -> Assertion:
    assertion.is_public = is_public
    assertion.save(update_fields=["is_public", "updated_at"])
    transaction.on_commit(lambda: public_cache.forget_assertion(assertion.uuid))
    return assertion


REMINDER_DAYS_BEFORE_EXPIRY = 30


def assertions_remind_expiring(*, now: datetime | None = None) -> int:
    """Tell learners, once, that a badge expires within the reminder window, with a link to
    renew it: in the site and, unless they turned reminders off, by e-mail. Each assertion
    is claimed (marked) as it is told, under a lock that skips rows another run holds, so
    no learner is told twice even if two schedulers run. Returns how many were told."""
    now = now or timezone.now()
    window_end = now + relativedelta(days=REMINDER_DAYS_BEFORE_EXPIRY)
    with transaction.atomic():
        due = list(
            Assertion.objects.live()
            .select_for_update(skip_locked=True, of=("self",))
            .filter(
                expires_on__lte=window_end,
                expiry_reminder_sent_at__isnull=True,
                recipient__isnull=False,  # a deleted account is told nothing
            )
            .select_related("badge_class", "recipient")
        )
        Assertion.objects.filter(pk__in=[a.pk for a in due]).update(expiry_reminder_sent_at=now)
        for assertion in due:
            assertion_notify_expiring(assertion=assertion)
    return len(due)


def assertion_notify_expiring(*, assertion: Assertion) -> None:
    """Tell the learner the badge expires soon, with where to renew it (in the site; by
    e-mail unless they turned reminders off)."""
    name = assertion.badge_class.name
    expires = timezone.localdate(assertion.expires_on)
    notify(
        user=assertion.recipient,
        message=f"Your badge “{name}” expires on {expires:%-d %B %Y}.",
        url=reverse("my_badges"),
        email_template="credentials/email/expiring",
        context={
            "assertion": assertion,
            "badge_name": name,
            "renew_url": assertion.badge_class.criteria_url,
            "verify_url": ob2.assertion_id(assertion),
        },
        essential=False,
    )


def cohort_badge_award(*, member_id: int) -> Assertion | None:
    """Award a cohort's completion badge to a member who completed it, through
    `assertion_award` (so a repeat returns the badge already issued). The member's synthesis
    post is the evidence narrative only when they agreed to share it. None when the member
    has not completed, the cohort has no badge, or its micro-credential is not published."""
    completion = learning_api.cohort_completion_get(member_id=member_id)
    if completion is None:
        return None
    page = MicroCredentialPage.objects.live().filter(pk=completion.micro_credential_id).first()
    if page is None:
        return None
    with transaction.atomic():
        badge_class = badge_class_for_micro_credential(page=page, recipient=completion.user)
        # The club's own ledger line carries the hours: the badge adds none of its own.
        return assertion_award(
            recipient=completion.user,
            badge_class=badge_class,
            narrative=completion.narrative,
            credit_hours=False,
            how=f"Completed the book club “{completion.cohort_title}”",
        )
