"""Every write on the learner's side. Keyword-only, one transaction each, no permission
checks (views decide who may call them); each keeps its own invariants and raises
`LeapError` with a sentence for the person when a request cannot be done."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, audit_record, person_label
from accounts.batch import batch_start
from accounts.data_rights import account_delete
from accounts.email import email_send
from accounts.errors import LeapError
from accounts.models import BatchJob, User
from accounts.services import notify
from cms.models import (
    AudienceRole,
    Framework,
    FrameworkElement,
    MicroCredentialPage,
    PathwayPage,
)
from learning import api
from learning.events import invitation_accepted, pathway_completed
from learning.insights import goal_members, year_fraction, year_hours
from learning.models import (
    CreditEntry,
    District,
    DistrictDomain,
    Enrolment,
    InstitutionalAssessment,
    InstitutionalRating,
    Invitation,
    LearnerProfile,
    Membership,
    PDGoal,
    PlanItem,
    Rating,
    ReminderSent,
    SelfAssessment,
    SharedReport,
    StepProgress,
)
from learning.models.assessments import LEVEL_MAX, LEVEL_MIN
from learning.models.districts import (
    INVITATION_MAX_SENDS,
    INVITATION_RESEND_INTERVAL,
    invitation_expiry,
    invitation_token_hash,
    join_code_new,
    join_code_normalise,
)
from learning.models.insights import shared_report_token_hash
from learning.selectors import (
    done_page_id_list,
    invitation_get_by_token,
    school_year_label,
    school_year_start,
)
from learning.steps import StepInfo, pathway_steps, required_step_ids

# Districts and people.


def _membership_join(
    *, user: User, district: District, role: str, via: str, school=None
) -> Membership:
    """Join, or come back to, a district. An active member keeps their role and school:
    those change only through `membership_update`, which keeps the district's last admin.
    A returning (deactivated) member comes back with the role they are invited with."""
    membership = Membership.objects.select_for_update().filter(user=user, district=district).first()
    if membership is None:
        try:
            with transaction.atomic():
                return Membership.objects.create(
                    user=user, district=district, role=role, joined_via=via, school=school
                )
        except IntegrityError:  # joined at the same moment by another request
            return Membership.objects.get(user=user, district=district)
    if not membership.is_active and via == Membership.JoinedVia.INVITATION:
        membership.is_active = True
        membership.role = role
        membership.school = school or membership.school
        membership.save(update_fields=["is_active", "role", "school"])
    return membership


@transaction.atomic
def membership_join_by_code(*, user: User, code: str) -> Membership:
    """Join a district as a learner with its join code."""
    normalised = join_code_normalise(code)
    district = District.objects.filter(
        join_code=normalised, join_code_enabled=True, is_active=True
    ).first()
    if not normalised or district is None:
        raise LeapError(
            "That join code does not match any district. Check it with your district, "
            "or ask them for an invitation."
        )
    existing = Membership.objects.filter(user=user, district=district).first()
    if existing is not None and not existing.is_active:
        raise LeapError(
            f"Your membership of {district.name} was deactivated; ask its administrators "
            "to restore it."
        )
    return _membership_join(
        user=user, district=district, role=Membership.Role.LEARNER, via="join_code"
    )


@transaction.atomic
def membership_join_by_domain(*, user: User, email: str) -> Membership | None:
    """When a verified address is on a district's domain, the person joins it as a learner
    (unless they were a member and an admin deactivated them)."""
    domain = email.rpartition("@")[2].strip().lower()
    match = (
        DistrictDomain.objects.select_related("district")
        .filter(domain=domain, district__is_active=True)
        .first()
    )
    if match is None:
        return None
    existing = Membership.objects.filter(user=user, district=match.district).first()
    if existing is not None:
        return existing
    return _membership_join(
        user=user, district=match.district, role=Membership.Role.LEARNER, via="domain"
    )


@transaction.atomic
def membership_update(
    *, membership: Membership, role: str, is_active: bool, school=None
) -> Membership:
    """Change a member's role or (de)activate them. A district keeps at least one active
    administrator."""
    if role not in Membership.Role.values:
        raise LeapError("Choose learner, facilitator or district admin.")
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "district")
        .get(pk=membership.pk)
    )
    changes = _role_changes(locked, role=role, is_active=is_active)
    losing_admin = locked.role == Membership.Role.DISTRICT_ADMIN and (
        role != Membership.Role.DISTRICT_ADMIN or not is_active
    )
    if losing_admin and locked.is_active:
        others = (
            Membership.objects.select_for_update()
            .filter(district_id=locked.district_id, role=Membership.Role.DISTRICT_ADMIN)
            .filter(is_active=True)
            .exclude(pk=locked.pk)
        )
        if not others.exists():
            raise LeapError(
                f"{locked.district.name} needs at least one active district admin; make "
                "someone else an admin first."
            )
    if school is not None and school.district_id != locked.district_id:
        raise LeapError("Choose a school of this district.")
    locked.role = role
    locked.is_active = is_active
    locked.school = school
    locked.save(update_fields=["role", "is_active", "school"])
    if changes:
        _audit_role(locked, "; ".join(changes))
    return locked


def _role_name(role: str) -> str:
    return Membership.Role(role).label.lower()


def _role_changes(membership: Membership, *, role: str, is_active: bool) -> list[str]:
    """What a change to a membership does to the person's access, in words."""
    changes = []
    if role != membership.role:
        changes.append(f"Role: {_role_name(membership.role)} → {_role_name(role)}")
    if is_active != membership.is_active:
        changes.append("Reactivated" if is_active else "Deactivated")
    return changes


def _audit_role(membership: Membership, summary: str) -> None:
    audit_record(
        action=Action.ROLE_CHANGED,
        target=membership,
        target_label=f"{person_label(membership.user)} in {membership.district.name}",
        district=membership.district,
        summary=summary,
        details={"user": membership.user_id, "role": membership.role},
    )


@transaction.atomic
def membership_add(*, user: User, district: District, role: str, school=None) -> Membership:
    """Platform staff add an existing account to a district with a role (a district's first
    admin, say). A former (deactivated) member comes back with this role; an active
    member is refused, since their role changes only through `membership_update`."""
    if role not in Membership.Role.values:
        raise LeapError("Choose learner, facilitator or district admin.")
    if school is not None and school.district_id != district.pk:
        raise LeapError("Choose a school of this district.")
    existing = Membership.objects.select_for_update().filter(user=user, district=district).first()
    if existing is None:
        try:
            with transaction.atomic():
                created = Membership.objects.create(
                    user=user,
                    district=district,
                    role=role,
                    school=school,
                    joined_via=Membership.JoinedVia.ADMIN,
                )
        except IntegrityError:  # they joined at this moment by another way
            existing = Membership.objects.select_for_update().get(user=user, district=district)
        else:
            _audit_role(created, f"Added as {_role_name(role)}")
            return created
    if existing.is_active:
        raise LeapError(
            f"{user} is already a member of {district.name}; change their role on their "
            "membership instead."
        )
    changes = _role_changes(existing, role=role, is_active=True)
    existing.is_active = True
    existing.role = role
    existing.school = school or existing.school
    existing.save(update_fields=["is_active", "role", "school"])
    _audit_role(existing, "; ".join(changes))
    return existing


def member_account_delete(
    *, membership: Membership, by: User, reason: str, revoke_badges: bool
) -> None:
    """A district admin deletes a member's account at the member's request (see
    `accounts.data_rights.account_delete`). Refused for the admin's own account (that is
    "Your data"), for staff accounts, and for someone who is also a member of another
    district, whose admins have a say too."""
    person = membership.user
    name = person.display_name or person.email
    if person.pk == by.pk:
        raise LeapError("To delete your own account, use “Your data” in your account settings.")
    if person.is_staff or person.is_superuser:
        raise LeapError(f"{name} has a Leap staff account: only Leap's staff can delete it.")
    elsewhere = (
        Membership.objects.filter(user=person, is_active=True, district__is_active=True)
        .exclude(district_id=membership.district_id)
        .select_related("district")
        .first()
    )
    if elsewhere is not None:
        raise LeapError(
            f"{name} is also a member of {elsewhere.district.name}, so Leap's staff delete "
            "this account: ask them to."
        )
    account_delete(
        user=person, revoke_badges=revoke_badges, reason=reason, district=membership.district
    )


@transaction.atomic
def district_join_code_reset(*, district: District) -> District:
    district.join_code = join_code_new()
    district.save(update_fields=["join_code"])
    return district


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("learning:invitation", args=[token])


def _invitation_mail(invitation: Invitation, token: str) -> None:
    context = {
        "district": invitation.district,
        "invitation": invitation,
        "invited_by": invitation.invited_by,
        "url": invitation_url(token),
    }
    # To an address, not yet anyone's account here: no preferences apply.
    email_send(template="learning/email/invitation", context=context, to=[invitation.email])


@transaction.atomic
def invitation_send(
    *, district: District, email: str, role: str, invited_by: User, school=None, cohort=None
) -> Invitation:
    """Invite a person by e-mail; a newer invitation to the same address replaces an open
    one. The link is e-mailed after commit; only a hash of its token is stored. Active
    members are not invited again (their role changes on their member page). With a
    `cohort`, joining the district also gives them a place in that book club."""
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise LeapError(f"“{role}” is not a role; use learner, facilitator or district_admin.")
    if Membership.objects.filter(
        district=district, user__email__iexact=email, is_active=True
    ).exists():
        raise LeapError(
            f"{email} is already a member of {district.name}; change their role on their page."
        )
    # Lock the district so two invitations to one address cannot race past the replace.
    District.objects.select_for_update().filter(pk=district.pk).first()
    Invitation.objects.filter(
        district=district, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).delete()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        district=district,
        email=email,
        role=role,
        school=school,
        token_hash=invitation_token_hash(token),
        invited_by=invited_by,
        cohort=cohort,
    )
    _invitation_mail(invitation, token)
    return invitation


def _invitation_locked(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("district", "school", "invited_by", "cohort")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Invitation:
    """E-mail an open invitation again, with a new link (the old one stops working) and a
    fresh expiry. At most once every `INVITATION_RESEND_INTERVAL`, `INVITATION_MAX_SENDS`
    times in all."""
    locked = _invitation_locked(invitation)
    if locked.accepted_at is not None:
        raise LeapError(f"{locked.email} has already accepted this invitation.")
    if locked.revoked_at is not None:
        raise LeapError(f"The invitation to {locked.email} was withdrawn; invite them again.")
    if locked.send_count >= INVITATION_MAX_SENDS:
        raise LeapError(
            f"This invitation has been sent to {locked.email} {locked.send_count} times. "
            "Check the address with them, or withdraw it and send a new one."
        )
    next_allowed = locked.sent_at + INVITATION_RESEND_INTERVAL
    now = timezone.now()
    if next_allowed > now:
        minutes = max(1, round((next_allowed - now).total_seconds() / 60))
        raise LeapError(
            f"An invitation went to {locked.email} a few minutes ago. It can take a while to "
            f"arrive; you can send it again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
    token = secrets.token_urlsafe(32)
    locked.token_hash = invitation_token_hash(token)
    locked.sent_at = now
    locked.expires_at = invitation_expiry()
    locked.send_count += 1
    locked.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    _invitation_mail(locked, token)
    return locked


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Withdraw an open invitation: its link then says so and joins nobody."""
    locked = _invitation_locked(invitation)
    if locked.accepted_at is not None:
        raise LeapError(
            f"{locked.email} has already joined; deactivate their membership on their page instead."
        )
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


INVITATION_LINK_NOT_VALID = (
    "This invitation link is not valid. It may have been replaced by a newer one: "
    "look for the latest e-mail from your district, or ask them for a new invitation."
)


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, or LeapError saying why it cannot be used."""
    invitation = invitation_get_by_token(token=token)
    if invitation is None:
        raise LeapError(INVITATION_LINK_NOT_VALID)
    _invitation_check_usable(invitation)
    return invitation


def _invitation_check_usable(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise LeapError("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise LeapError(
            f"{invitation.district.name} has withdrawn this invitation. If you think that is "
            "a mistake, ask its administrators to invite you again."
        )
    if invitation.is_expired or not invitation.district.is_active:
        raise LeapError(
            f"This invitation to {invitation.district.name} has expired. Ask its "
            "administrators to send it again."
        )


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    """Accept an invitation: only by the person it was sent to (one of their verified
    addresses), since it may grant an administrator's role."""
    invitation = _invitation_locked(invitation_for_token(token))
    # Checked again on the locked row: since the first look, a resend may have replaced
    # the link, or the district withdrawn it, or someone else used it.
    if invitation.token_hash != invitation_token_hash(token):
        raise LeapError(INVITATION_LINK_NOT_VALID)
    _invitation_check_usable(invitation)
    verified = EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()
    if not verified:
        raise LeapError(
            f"This invitation was sent to {invitation.email}. Sign in with that address, or "
            "add and verify it in your account settings, then open the link again."
        )
    return _invitation_use(invitation, user)


def _invitation_use(invitation: Invitation, user: User) -> Membership:
    before = (
        Membership.objects.filter(user=user, district=invitation.district, is_active=True)
        .values_list("role", flat=True)
        .first()
    )
    membership = _membership_join(
        user=user,
        district=invitation.district,
        role=invitation.role,
        via=Membership.JoinedVia.INVITATION,
        school=invitation.school,
    )
    if membership.role != Membership.Role.LEARNER and membership.role != before:
        # A staff role given by invitation is a role change like any other.
        _audit_role(membership, f"Joined as {_role_name(membership.role)} by invitation")
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    return membership


@transaction.atomic
def invitations_accept_for_address(*, user: User, email: str) -> list[Membership]:
    """When someone verifies an address that has open invitations, they are accepted: the
    address is proven theirs, which is all the link would prove."""
    memberships = []
    open_invitations = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("district", "school", "cohort")
    )
    for invitation in open_invitations:
        if not invitation.district.is_active:
            continue
        memberships.append(_invitation_use(invitation, user))
    return memberships


@dataclass(frozen=True)
class InvitationRow:
    line: int
    email: str
    role: str
    school_name: str


INVITATIONS_BATCH = "learning.invitations"


def invitations_send_many(
    *, district: District, rows: list[InvitationRow], invited_by: User, url_for=None
) -> BatchJob:
    """Send validated rows (see learning.forms.InvitationCsvForm) in the background
    (accounts.batch), with a progress page. People who are already active members are
    left out and counted, so a whole staff list can be uploaded again after new people
    join."""
    return batch_start(
        kind=INVITATIONS_BATCH,
        handler="learning.services.invitation_row_send",
        rows=[
            {
                "line": row.line,
                "district": district.pk,
                "email": row.email.strip().lower(),
                "role": row.role,
                "school": row.school_name,
            }
            for row in rows
        ],
        created_by=invited_by,
        label="Invitations from a CSV file",
        scope=invitations_batch_scope(district),
        url_for=url_for,
    )


def invitations_batch_scope(district: District) -> str:
    return f"district:{district.pk}"


def invitation_row_send(*, row: dict, job: BatchJob) -> str | tuple[str, str]:
    """One row of an invitation list (the batch handler): "sent", "already_member", or
    "already_sent" when this job sent it before (a replay), so nobody gets two e-mails."""
    district = District.objects.get(pk=row["district"])
    email = row["email"]
    if Membership.objects.filter(
        district=district, user__email__iexact=email, is_active=True
    ).exists():
        return "already_member", f"{email} is already a member: not invited."
    if Invitation.objects.filter(
        district=district,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        created_at__gte=job.created_at,
    ).exists():
        return "already_sent"
    school = district.schools.filter(name__iexact=row["school"]).first() if row["school"] else None
    invitation_send(
        district=district,
        email=email,
        role=row["role"],
        invited_by=job.created_by,
        school=school,
    )
    return "sent"


# Onboarding.


@transaction.atomic
def profile_onboard(*, user: User, display_name: str, role: AudienceRole) -> LearnerProfile:
    name = " ".join((display_name or "").split())
    if not name:
        raise LeapError("Enter the name people will see.")
    if user.display_name != name:
        user.display_name = name
        user.save(update_fields=["display_name"])
    profile, _ = LearnerProfile.objects.get_or_create(user=user)
    profile.role = role
    profile.onboarded_at = profile.onboarded_at or timezone.now()
    profile.save(update_fields=["role", "onboarded_at"])
    return profile


# Self-assessment.


def assessment_start(*, user: User, framework: Framework) -> SelfAssessment:
    """The learner's take in progress on this framework, or a new one. A new take starts
    from the learner's previous ratings, so retaking means adjusting, not starting over."""
    with transaction.atomic():
        open_take = SelfAssessment.objects.filter(
            user=user, framework=framework, completed_at__isnull=True
        ).first()
        if open_take is not None:
            return open_take
        previous = (
            SelfAssessment.objects.filter(user=user, framework=framework)
            .exclude(completed_at__isnull=True)
            .order_by("-completed_at")
            .first()
        )
        try:
            with transaction.atomic():
                take = SelfAssessment.objects.create(
                    user=user,
                    framework=framework,
                    target_level=previous.target_level if previous else LEVEL_MAX,
                )
        except IntegrityError:  # started at the same moment in another tab
            return SelfAssessment.objects.get(
                user=user, framework=framework, completed_at__isnull=True
            )
        if previous is not None:
            Rating.objects.bulk_create(
                Rating(assessment=take, element_id=r.element_id, level=r.level, note=r.note)
                for r in previous.ratings.all()
            )
        return take


def assessable_elements(framework: Framework):
    """The elements a learner rates: published ones (a draft is not offered) that are
    assessed."""
    return (
        FrameworkElement.objects.live()
        .filter(framework=framework, is_assessed=True)
        .order_by("category__sort_order", "sort_order", "code")
    )


@transaction.atomic
def assessment_save(
    *,
    assessment: SelfAssessment,
    ratings: dict[int, tuple[int | None, str]],
    target_level: int | None = None,
    complete: bool = False,
) -> SelfAssessment:
    """Save ratings ({element id: (level or None, note)}); None clears a rating. Levels off
    the scale and elements of another framework are refused, and then nothing is saved.
    With `complete`, the take is also finished (see `assessment_finish`)."""
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_complete:
        raise LeapError("This self-assessment is finished; start a new one to change it.")
    element_ids = set(assessable_elements(assessment.framework).values_list("pk", flat=True))
    if set(ratings) - element_ids:
        raise LeapError("Some ratings are for elements outside this framework.")
    for level, _note in ratings.values():
        if level is not None and not LEVEL_MIN <= level <= LEVEL_MAX:
            raise LeapError(
                f"Ratings go from {LEVEL_MIN} to {LEVEL_MAX}; {level} is not on the scale."
            )
    if target_level is not None:
        if not LEVEL_MIN < target_level <= LEVEL_MAX:
            raise LeapError(f"Aim for a level from {LEVEL_MIN + 1} to {LEVEL_MAX}.")
        assessment.target_level = target_level
    existing = {rating.element_id: rating for rating in assessment.ratings.all()}
    for element_id, (level, note) in ratings.items():
        rating = existing.get(element_id)
        if level is None:
            if rating is not None:
                rating.delete()
            continue
        if rating is None:
            Rating.objects.create(
                assessment=assessment, element_id=element_id, level=level, note=note
            )
        elif (rating.level, rating.note) != (level, note):
            rating.level, rating.note = level, note
            rating.save(update_fields=["level", "note"])
    assessment.save()
    if complete:
        return assessment_finish(assessment=assessment)
    return assessment


@transaction.atomic
def assessment_finish(*, assessment: SelfAssessment) -> SelfAssessment:
    """Finish a take: every assessed element must be rated; the message names the rest."""
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_complete:
        return assessment
    rated = set(assessment.ratings.values_list("element_id", flat=True))
    missing = [e for e in assessable_elements(assessment.framework) if e.pk not in rated]
    if missing:
        names = ", ".join(f"{e.code} {e.name}" for e in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise LeapError(
            f"Rate every element to finish. Still to rate: {names}{more}. Your ratings so "
            "far are saved."
        )
    assessment.completed_at = timezone.now()
    assessment.save(update_fields=["completed_at", "updated_at"])
    return assessment


# The plan.


@transaction.atomic
def plan_add(*, user: User, page, source: str, reason: str = "") -> PlanItem:
    """Add a pathway or micro-credential at the end of the plan (no-op if it is there)."""
    if not isinstance(page.specific, PathwayPage | MicroCredentialPage) or not page.live:
        raise LeapError("Only published pathways and micro-credentials can go in a plan.")
    existing = PlanItem.objects.filter(user=user, page=page).first()
    if existing is not None:
        return existing
    last = PlanItem.objects.filter(user=user).aggregate(Max("position"))["position__max"]
    try:
        with transaction.atomic():
            return PlanItem.objects.create(
                user=user,
                page=page,
                position=(last or 0) + 1,
                source=source,
                reason=reason,
            )
    except IntegrityError:
        return PlanItem.objects.get(user=user, page=page)


@transaction.atomic
def plan_remove(*, item: PlanItem) -> None:
    item.delete()


@transaction.atomic
def plan_move(*, item: PlanItem, offset: int) -> None:
    """Move an item up (negative) or down (positive) in its owner's plan."""
    items = list(PlanItem.objects.select_for_update().filter(user_id=item.user_id))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = min(max(index + offset, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    for position, other in enumerate(items, start=1):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])


# Pathways in progress.


def _earned_step_ids(steps: list[StepInfo], earned: set[int]) -> set[str]:
    """Micro-credential steps are done by holding the badge, whenever it was earned."""
    return {step.id for step in steps if step.micro_credential_id in earned}


@transaction.atomic
def enrolment_enrol(*, user: User, pathway: PathwayPage) -> Enrolment:
    """Enrol (idempotent). Prerequisites must be finished or earned first."""
    existing = Enrolment.objects.filter(user=user, pathway=pathway).first()
    if existing is not None:
        return existing
    if not pathway.live:
        raise LeapError("This pathway is not published.")
    done = done_page_id_list(user=user)
    missing = [page for page in pathway.prerequisite_pages if page.pk not in done]
    if missing:
        names = ", ".join(f"“{page.title}”" for page in missing)
        raise LeapError(f"Finish {names} before you enrol in this pathway.")
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                user=user, pathway=pathway, pathway_title=pathway.title
            )
    except IntegrityError:
        return Enrolment.objects.get(user=user, pathway=pathway)
    _enrolment_complete_if_done(enrolment, pathway)
    return enrolment


def _step(pathway: PathwayPage, step_id: str) -> StepInfo:
    for step in pathway_steps(pathway):
        if step.id == step_id:
            return step
    raise LeapError("That step is no longer part of this pathway.")


@transaction.atomic
def step_update(
    *, enrolment: Enrolment, step_id: str, done: bool, reflection: str | None = None
) -> StepProgress:
    """Mark a step done or not done, and keep a reflection on a reflect step. A
    micro-credential step is done only by earning its badge."""
    # Lock only the enrolment row (the pathway join is an outer one).
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("pathway")
        .get(pk=enrolment.pk)
    )
    if not enrolment.is_available:
        raise LeapError("This pathway is no longer published, so it cannot change.")
    pathway = enrolment.pathway
    step = _step(pathway, step_id)
    if step.kind == "micro_credential":
        raise LeapError("This step is done when you earn the micro-credential.")
    progress, _ = StepProgress.objects.get_or_create(enrolment=enrolment, step_id=step_id)
    if reflection is not None:
        if step.kind != "reflect":
            raise LeapError("Only reflect steps take a written reflection.")
        progress.reflection = reflection.strip()
    if done and step.kind == "reflect" and not progress.reflection:
        raise LeapError("Write your reflection before marking this step done.")
    progress.completed_at = (progress.completed_at or timezone.now()) if done else None
    progress.save()
    _enrolment_complete_if_done(enrolment, pathway)
    return progress


def _enrolment_complete_if_done(
    enrolment: Enrolment, pathway: PathwayPage, *, earned: set[int] | None = None
) -> None:
    """A pathway is complete once every required step is done; completing credits its
    hours (once: reopening a step or losing a badge later does not take the credit back)."""
    if enrolment.completed_at is not None:
        return
    steps = pathway_steps(pathway)
    required = required_step_ids(steps)
    if not required:
        return
    earned = done_page_id_list(user=enrolment.user) if earned is None else earned
    done = set(
        enrolment.steps.filter(completed_at__isnull=False).values_list("step_id", flat=True)
    ) | _earned_step_ids(steps, earned)
    if not required <= done:
        return
    enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["completed_at"])
    _credit_add(
        user=enrolment.user,
        source=CreditEntry.Source.PATHWAY,
        source_key=f"pathway:{pathway.pk}",
        page=pathway,
        title=pathway.title,
        hours=pathway.estimated_hours,
        earned_on=timezone.localdate(enrolment.completed_at),
    )
    pathway_completed.send(sender=Enrolment, enrolment=enrolment)


@transaction.atomic
def enrolments_reconcile(*, pathway: PathwayPage) -> int:
    """After an editor publishes a pathway (steps removed, a badge step added), complete
    the enrolments that are now done. Returns how many were completed."""
    completed = 0
    for enrolment in Enrolment.objects.select_for_update().filter(
        pathway=pathway, completed_at__isnull=True
    ):
        _enrolment_complete_if_done(enrolment, pathway)
        completed += enrolment.completed_at is not None
    return completed


# The credit ledger, and what credentials tells learning.


def _credit_add(**fields) -> CreditEntry:
    try:
        with transaction.atomic():
            return CreditEntry.objects.create(**fields)
    except IntegrityError:  # already credited: telling the ledger twice credits once
        return CreditEntry.objects.get(user=fields["user"], source_key=fields["source_key"])


def badge_hours(*, user: User, hours: Decimal) -> Decimal:
    """A district may credit a set number of hours per badge instead of the badge's own."""
    setting = (
        Membership.objects.filter(
            user=user,
            is_active=True,
            district__is_active=True,
            district__pd_hours_per_badge__isnull=False,
        )
        .order_by("created_at")
        .values_list("district__pd_hours_per_badge", flat=True)
        .first()
    )
    return setting if setting is not None else hours


@transaction.atomic
def badge_earned(
    *,
    user: User,
    micro_credential_id: int | None,
    title: str,
    hours: Decimal,
    earned_on: date,
    key: str,
    url: str = "",
    image_url: str = "",
    expires_on: date | None = None,
) -> CreditEntry:
    """Called by credentials when a badge is awarded (inside its transaction): credit the
    hours, and complete the learner's pathways that this badge finishes. `image_url` is the
    badge's picture, shown on the dashboard as given (learning knows no badge's internals)."""
    entry = _credit_add(
        user=user,
        source=CreditEntry.Source.BADGE,
        source_key=f"badge:{key}",
        page_id=micro_credential_id,
        title=title,
        hours=badge_hours(user=user, hours=hours),
        earned_on=earned_on,
        url=url,
        image_url=image_url,
        expires_on=expires_on,
    )
    if micro_credential_id is None:  # the page is gone; the credit stands
        return entry
    earned = done_page_id_list(user=user)
    enrolments = Enrolment.objects.select_for_update(of=("self",)).filter(
        user=user, completed_at__isnull=True, pathway__isnull=False
    )
    for enrolment in enrolments.select_related("pathway"):
        if _earned_step_ids(pathway_steps(enrolment.pathway), {micro_credential_id}):
            _enrolment_complete_if_done(enrolment, enrolment.pathway, earned=earned)
    return entry


@dataclass(frozen=True)
class BadgeEarned:
    """One badge of a bulk award, as `badge_earned` is told it."""

    user: User
    micro_credential_id: int | None
    title: str
    hours: Decimal
    earned_on: date
    key: str
    url: str = ""
    image_url: str = ""
    expires_on: date | None = None


def _hours_per_badge(districts) -> Decimal | None:
    """The hours a person's districts credit per badge instead of the badge's own: the
    setting of the first joined that has one (as `badge_hours` reads it)."""
    return next((d.pd_hours_per_badge for d in districts if d.pd_hours_per_badge is not None), None)


@transaction.atomic
def badges_earned(*, earned: list[BadgeEarned], districts_of: dict | None = None) -> None:
    """`badge_earned` for many badges at once (a bulk award), in a handful of queries
    whatever their number: the credit in one insert (a badge credited before is credited
    once), then the pathways these badges finish. `districts_of` (from
    `api.districts_of_users`) saves reading the districts again."""
    if not earned:
        return
    if districts_of is None:
        districts_of = api.districts_of_users(user_ids={e.user.pk for e in earned})
    entries = []
    for badge in earned:
        setting = _hours_per_badge(districts_of.get(badge.user.pk, []))
        entries.append(
            CreditEntry(
                user=badge.user,
                source=CreditEntry.Source.BADGE,
                source_key=f"badge:{badge.key}",
                page_id=badge.micro_credential_id,
                title=badge.title,
                hours=setting if setting is not None else badge.hours,
                earned_on=badge.earned_on,
                url=badge.url,
                image_url=badge.image_url,
                expires_on=badge.expires_on,
            )
        )
    # In one order for every writer (person, then day), so two bulk awards at once that
    # share learners take the roll-up's rows (`ActivityYear`, by person and school year) and
    # the ledger's unique keys in the same order, and one waits instead of deadlocking.
    entries.sort(key=lambda entry: (entry.user.pk, entry.earned_on))
    CreditEntry.objects.bulk_create(entries, ignore_conflicts=True)
    _pathways_complete_for_badges(earned)


def _pathways_complete_for_badges(earned: list[BadgeEarned]) -> None:
    """Complete the open enrolments of these people whose pathway has a step for a badge
    they just earned: one query for all the enrolments, then only the few that qualify are
    worked out one by one."""
    pages_of: dict[int, set[int]] = {}
    users = {}
    for badge in earned:
        if badge.micro_credential_id is not None:
            pages_of.setdefault(badge.user.pk, set()).add(badge.micro_credential_id)
            users[badge.user.pk] = badge.user
    if not pages_of:
        return
    enrolments = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(user_id__in=list(pages_of), completed_at__isnull=True, pathway__isnull=False)
        .select_related("pathway")
        .order_by("pk")
    )
    steps_of: dict[int, list[StepInfo]] = {}
    for enrolment in enrolments:
        pathway = enrolment.pathway
        if pathway.pk not in steps_of:
            steps_of[pathway.pk] = pathway_steps(pathway)
        if _earned_step_ids(steps_of[pathway.pk], pages_of[enrolment.user_id]):
            enrolment.user = users[enrolment.user_id]
            _enrolment_complete_if_done(enrolment, pathway)


def external_badge_counted(
    *,
    user: User,
    issuer_id: str,
    title: str,
    earned_on: date,
    key: str,
    url: str,
    expires_on: date | None,
) -> CreditEntry | None:
    """Called by credentials when a badge from another issuer verifies: it counts on the
    transcript when one of the learner's districts lists its issuer (None otherwise), with
    the district's hours per badge, or none. A badge that stopped verifying and verifies
    again counts again."""
    districts = District.objects.filter(
        is_active=True, memberships__user=user, memberships__is_active=True
    ).exclude(external_badge_issuers="")
    if not any(issuer_id in d.external_badge_issuer_list() for d in districts):
        return None
    entry = _credit_add(
        user=user,
        source=CreditEntry.Source.EXTERNAL,
        source_key=f"external:{key}",
        title=title[:255],
        hours=badge_hours(user=user, hours=Decimal("0")),
        earned_on=earned_on,
        url=url if len(url) <= 200 else "",
        expires_on=expires_on,
    )
    if entry.voided_at is not None:
        entry.voided_at, entry.void_reason = None, ""
        entry.save(update_fields=["voided_at", "void_reason"])
    return entry


def external_badge_withdrawn(*, user: User, key: str, reason: str) -> None:
    """The badge from another issuer no longer verifies, or its holder removed it."""
    CreditEntry.objects.filter(user=user, source_key=f"external:{key}", voided_at=None).update(
        voided_at=timezone.now(), void_reason=reason[:255]
    )


@transaction.atomic
def badge_withdrawn(*, user: User, key: str, reason: str) -> None:
    """Called by credentials when a badge is revoked: its credit no longer counts."""
    CreditEntry.objects.filter(user=user, source_key=f"badge:{key}", voided_at=None).update(
        voided_at=timezone.now(), void_reason=reason[:255]
    )


SHARED_REPORT_DAYS = (7, 30, 90)


def shared_report_create(
    *, district: District, kind: str, filters: dict, title: str, days: int, created_by: User
) -> tuple[SharedReport, str]:
    """A read-only link to a district report with these filters, for `days` days. Returns
    the report and the link's secret, which is shown once: only its fingerprint is kept."""
    if days not in SHARED_REPORT_DAYS:
        raise LeapError(f"A shared link lasts {', '.join(map(str, SHARED_REPORT_DAYS))} days.")
    token = secrets.token_urlsafe(32)
    report = SharedReport.objects.create(
        district=district,
        kind=kind,
        filters={key: str(value) for key, value in filters.items() if value not in ("", None)},
        title=title[:200],
        token_hash=shared_report_token_hash(token),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        action=Action.REPORT_SHARED,
        actor=created_by,
        target=report,
        district=district,
        summary=f"Shared a read-only link to “{report.title}” for {days} days",
    )
    return report, token


def shared_report_revoke(*, report: SharedReport, revoked_by: User) -> SharedReport:
    if report.revoked_at is None:
        report.revoked_at = timezone.now()
        report.save(update_fields=["revoked_at"])
        audit_record(
            action=Action.REPORT_SHARED,
            actor=revoked_by,
            target=report,
            district=report.district,
            summary=f"Revoked the shared link to “{report.title}”",
        )
    return report


def pd_goal_set(*, district: District, role: AudienceRole | None, hours: Decimal) -> PDGoal:
    """Set the hours a district asks of a role (or of everyone) each school year."""
    goal, _ = PDGoal.objects.update_or_create(
        district=district, role=role, defaults={"hours": hours}
    )
    return goal


def pd_goal_remove(*, goal: PDGoal) -> None:
    goal.delete()


PD_GOAL_REMINDER = "pd-goal-behind"


def _hours(value: Decimal) -> str:
    """10, 5.5 (not 10.0 or 1E+1)."""
    return f"{Decimal(value).normalize():f}"


def pd_goals_remind_behind(*, today: date) -> int:
    """Monthly (beat): tell each member who is behind a goal of their district how many
    hours they have and how many they need, once a month, as their notification settings
    say (a reminder, not essential). Returns how many were told."""
    year_start = school_year_start(today)
    label = school_year_label(today)
    fraction = year_fraction(year_start, today)
    told = 0
    goals = PDGoal.objects.filter(district__is_active=True).select_related("district", "role")
    by_district: dict[int, list[PDGoal]] = {}
    for goal in goals:
        by_district.setdefault(goal.district_id, []).append(goal)
    for district_goals in by_district.values():
        district = district_goals[0].district
        members = Membership.objects.filter(district=district, is_active=True)
        for goal in district_goals:
            expected = (goal.hours * fraction).quantize(Decimal("0.1"))
            behind = (
                goal_members(goal=goal, goals=district_goals, members=members)
                .annotate(credited=year_hours(year_start))
                .filter(credited__lt=expected)
                .select_related("user")
            )
            for membership in behind.iterator():
                key = f"{district.pk}:{label}:{today:%Y-%m}"
                try:
                    with transaction.atomic():
                        ReminderSent.objects.create(
                            kind=PD_GOAL_REMINDER, key=key, user=membership.user
                        )
                except IntegrityError:  # told this month already
                    continue
                notify(
                    user=membership.user,
                    message=(
                        f"You have {_hours(membership.credited)} of the {_hours(goal.hours)} "
                        f"PD hours {district.name} asks for in {label}; by now "
                        f"{_hours(expected)} would be on track."
                    ),
                    url=reverse("learning:transcript"),
                    email_template="learning/email/pd_goal_behind",
                    context={
                        "district": district,
                        "year": label,
                        "hours": membership.credited,
                        "goal": goal.hours,
                        "expected": expected,
                        "transcript_url": settings.SITE_URL + reverse("learning:transcript"),
                        "plan_url": settings.SITE_URL + reverse("learning:plan"),
                    },
                    essential=False,
                )
                told += 1
    return told


# The district rating itself against a system framework.


def institutional_assessment_start(
    *, district: District, framework: Framework, title: str, created_by: User
) -> InstitutionalAssessment:
    if not framework.scope.startswith("school system"):
        raise LeapError(
            f"{framework.name} rates people, not a district: choose a framework for the "
            "school system, such as the Digital Leap Success Matrix."
        )
    title = " ".join(title.split())
    if not title:
        raise LeapError("Give the round a name, such as “Spring 2026 review”.")
    return InstitutionalAssessment.objects.create(
        district=district, framework=framework, title=title[:120], created_by=created_by
    )


@transaction.atomic
def institutional_assessment_save(
    *,
    assessment: InstitutionalAssessment,
    ratings: dict[int, tuple[int | None, str]],
    team_ids: list[int],
    complete: bool = False,
) -> InstitutionalAssessment:
    """Save the round's ratings ({element id: (level or None, evidence)}) and its team;
    with `complete`, finish it (every element rated). Nothing is saved when any part is
    wrong; a finished round is not changed."""
    assessment = InstitutionalAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.completed_at:
        raise LeapError("This round is finished; start a new round to rate the district again.")
    elements = {e.pk: e for e in assessable_elements(assessment.framework)}
    problems = [
        "A rating is for an element this framework does not have."
        for element_id in ratings
        if element_id not in elements
    ]
    problems += [
        f"{elements[element_id].code}: choose a level from {LEVEL_MIN} to {LEVEL_MAX}."
        for element_id, (level, _) in ratings.items()
        if element_id in elements and level is not None and not LEVEL_MIN <= level <= LEVEL_MAX
    ]
    members = set(
        Membership.objects.filter(
            district=assessment.district, is_active=True, user_id__in=team_ids
        ).values_list("user_id", flat=True)
    )
    if set(team_ids) - members:
        problems.append("The team can only be active members of the district.")
    if complete:
        unrated = [e.code for pk, e in elements.items() if (ratings.get(pk) or (None,))[0] is None]
        if unrated:
            problems.append(f"Rate every element before finishing: {', '.join(unrated)}.")
        if not team_ids:
            problems.append("Name the people who agreed these ratings before finishing.")
    if problems:
        raise LeapError(problems)
    for element_id, (level, evidence) in ratings.items():
        if level is None:
            InstitutionalRating.objects.filter(
                assessment=assessment, element_id=element_id
            ).delete()
            continue
        InstitutionalRating.objects.update_or_create(
            assessment=assessment,
            element_id=element_id,
            defaults={"level": level, "evidence": evidence.strip()[:2000]},
        )
    assessment.team.set(team_ids)
    if complete:
        assessment.completed_at = timezone.now()
        assessment.save(update_fields=["completed_at"])
    return assessment
