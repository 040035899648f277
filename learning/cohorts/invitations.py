"""Inviting people to a book club by e-mail address, whether or not they are in the
district yet.

Someone already in the district gets the club's own invitation (they accept it from
Book clubs). Anyone else gets the district's invitation e-mail, which names the club:
when they accept it, joining the district gives them their place in the club
(`learning.events.invitation_accepted`, followed in `learning.signals`). They
join as learners; a facilitator cannot hand out other roles.
"""

from django.db import transaction

from accounts.errors import LeapError
from accounts.models import User
from learning import services as district_services
from learning.cohorts import services as cohort_services
from learning.models import Cohort, CohortMember, Invitation, Membership


def _open_invitation(cohort: Cohort, email: str) -> Invitation | None:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("cohort")
        .filter(
            district_id=cohort.district_id,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .first()
    )


@transaction.atomic
def member_invite_address(
    *, cohort: Cohort, email: str, invited_by: User
) -> CohortMember | Invitation:
    """Invite `email` to the club: a club invitation for a district member, otherwise the
    district's invitation carrying the club. An open district invitation to the address
    is kept (its role and school may be an administrator's choice) and now also brings
    the club, unless it already brings another one."""
    email = email.strip().lower()
    member = (
        User.objects.filter(
            email__iexact=email,
            memberships__district_id=cohort.district_id,
            memberships__is_active=True,
        )
        .distinct()
        .first()
    )
    if member is not None:
        return cohort_services.member_invite(cohort=cohort, user=member, invited_by=invited_by)
    cohort_services.cohort_check_joinable(cohort=cohort)
    pending = _open_invitation(cohort, email)
    if pending is not None and not pending.is_expired:
        if pending.cohort_id not in (None, cohort.pk):
            raise LeapError(
                f"{email} already has an invitation to {cohort.district.name} that brings "
                f"them into “{pending.cohort.title}”. Add them here once they have joined."
            )
        pending.cohort = cohort
        pending.save(update_fields=["cohort"])
        return pending
    return district_services.invitation_send(
        district=cohort.district,
        email=email,
        role=Membership.Role.LEARNER,
        invited_by=invited_by,
        cohort=cohort,
    )
