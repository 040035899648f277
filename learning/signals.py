"""allauth tells learning when an address is verified: a verified address on a district's
domain joins that district."""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver

from learning.services import membership_join_by_domain


@receiver(email_confirmed)
def join_district_on_email_confirmed(sender, request, email_address, **kwargs):
    membership_join_by_domain(user=email_address.user, email=email_address.email)


@receiver(user_signed_up)
def join_district_on_signup(sender, request, user, **kwargs):
    # Addresses a sign-in provider vouched for are verified from the start.
    for address in EmailAddress.objects.filter(user=user, verified=True):
        membership_join_by_domain(user=user, email=address.email)
