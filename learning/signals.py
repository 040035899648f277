"""Learning listens to Django's auth, allauth and Wagtail. When an address is verified, open
invitations to it are accepted and an address on a district's domain joins that district;
signing in or confirming an address forgets the invitation note of learning.invitation_note;
when a pathway is published, enrolments it now completes are completed; an invitation sent
for a book club gives its place in the club once accepted."""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from wagtail.signals import page_published

from accounts.jobs import job_enqueue_on_commit
from cms.models import PathwayPage
from learning.cohorts.services import member_from_invitation
from learning.events import invitation_accepted
from learning.invitation_note import invitation_note_forget
from learning.services import invitations_accept_for_address, membership_join_by_domain


def _address_verified(user, email: str) -> None:
    invitations_accept_for_address(user=user, email=email)
    membership_join_by_domain(user=user, email=email)


@receiver(email_confirmed)
def join_district_on_email_confirmed(sender, request, email_address, **kwargs):
    _address_verified(email_address.user, email_address.email)
    invitation_note_forget(request)


@receiver(user_logged_in)
def forget_invitation_note_on_log_in(sender, request, user, **kwargs):
    # The next person at a shared computer is not told about this one's invitation.
    invitation_note_forget(request)


@receiver(user_signed_up)
def join_district_on_signup(sender, request, user, **kwargs):
    # Addresses a sign-in provider vouched for are verified from the start.
    for address in EmailAddress.objects.filter(user=user, verified=True):
        _address_verified(user, address.email)


@receiver(page_published, sender=PathwayPage)
def reconcile_enrolments_on_publish(sender, instance, **kwargs):
    # A new revision may have removed the last open step, or added a step for a badge the
    # learner holds: those enrolments are complete now. After commit, off the editor's request.
    job_enqueue_on_commit(
        "learning.tasks.enrolments_reconcile",
        instance.pk,
        label=f"enrolments of pathway {instance.pk} after publishing",
    )


@receiver(invitation_accepted)
def join_book_club_on_invitation_accepted(sender, invitation, user, **kwargs):
    # In the accepting transaction: the district place and the club place come together.
    if invitation.cohort_id is not None:
        member_from_invitation(cohort=invitation.cohort, user=user)
