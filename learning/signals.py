"""allauth tells learning when an address is verified: open invitations to that address
are accepted, and an address on a district's domain joins that district."""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver

from learning.services import invitations_accept_for_address, membership_join_by_domain


def _address_verified(user, email: str) -> None:
    invitations_accept_for_address(user=user, email=email)
    membership_join_by_domain(user=user, email=email)


@receiver(email_confirmed)
def join_district_on_email_confirmed(sender, request, email_address, **kwargs):
    _address_verified(email_address.user, email_address.email)


@receiver(user_signed_up)
def join_district_on_signup(sender, request, user, **kwargs):
    # Addresses a sign-in provider vouched for are verified from the start.
    for address in EmailAddress.objects.filter(user=user, verified=True):
        _address_verified(user, address.email)
