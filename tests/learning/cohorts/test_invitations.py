"""Inviting people to a book club by address: a colleague not yet in the district joins
the district and the club with one link; a district member gets the club's invitation;
the facilitator sees, resends and withdraws what is pending; nobody else can."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.errors import LeapError
from learning import services as district_services
from learning.cohorts import invitations, services
from learning.models import Cohort, CohortMember, Invitation, Membership
from tests.factories import UserFactory, onboarded
from tests.learning.cohorts.factories import (
    cohort_start,
    district_member,
    other_district_admin,
    signed_in,
)

pytestmark = pytest.mark.django_db
NEW = "sam.new@riverside.example"


@pytest.fixture
def send(cohort, admin, django_capture_on_commit_callbacks):
    """Invite an address to the cohort; returns what was made and the e-mails sent."""

    def invite(email=NEW, to=None):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            made = invitations.member_invite_address(
                cohort=to or cohort, email=email, invited_by=admin
            )
        return made, list(mail.outbox)

    return invite


def token_in(message) -> str:
    return message.body.split("/join/")[1].split("/")[0]


def verified_user(email: str):
    user = UserFactory(email=email, display_name="Sam New")
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def test_a_colleague_not_in_the_district_joins_district_and_club_with_one_link(
    send, cohort, district
):
    invitation, [message] = send(email="  Sam.New@Riverside.example ")
    assert isinstance(invitation, Invitation)
    assert (invitation.email, invitation.role, invitation.cohort) == (NEW, "learner", cohort)
    assert message.to == [NEW]
    assert message.subject == "Join the book club “Reading together” with Riverside Unified"
    assert "read along in the book club “Reading together”" in message.body

    sam = verified_user(NEW)
    district_services.invitation_accept(user=sam, token=token_in(message))

    assert Membership.objects.get(user=sam, district=district).role == "learner"
    place = CohortMember.objects.get(cohort=cohort, user=sam)
    assert (place.state, place.role) == ("active", "member")
    assert sam.notifications.filter(message="Welcome to “Reading together”: you are in.").exists()


def test_confirming_the_invited_address_also_gives_the_place(send, cohort):
    send()
    sam = UserFactory(email=NEW)
    district_services.invitations_accept_for_address(user=sam, email=NEW)
    assert CohortMember.objects.get(cohort=cohort, user=sam).state == "active"


def test_a_full_club_puts_the_newcomer_on_the_waiting_list(send, district, book, admin):
    small = cohort_start(district, book, admin, title="Small group", capacity=1)
    services.member_join(cohort=small, user=district_member(district))
    _, [message] = send(to=small)
    sam = verified_user(NEW)
    district_services.invitation_accept(user=sam, token=token_in(message))
    assert CohortMember.objects.get(cohort=small, user=sam).state == "waiting"


def test_a_club_cancelled_meanwhile_gives_the_district_but_no_place(send, cohort, district):
    _, [message] = send()
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CANCELLED)
    sam = verified_user(NEW)
    district_services.invitation_accept(user=sam, token=token_in(message))
    assert Membership.objects.filter(user=sam, district=district, is_active=True).exists()
    assert not CohortMember.objects.filter(cohort=cohort, user=sam).exists()


def test_a_district_member_gets_the_clubs_own_invitation(send, cohort, district):
    colleague = district_member(district, user=UserFactory(email="lee@riverside.example"))
    place, [message] = send(email="LEE@riverside.example")
    assert isinstance(place, CohortMember)
    assert (place.user, place.state) == (colleague, "invited")
    assert not Invitation.objects.filter(email__iexact="lee@riverside.example").exists()
    assert message.to == ["lee@riverside.example"]


def test_an_open_district_invitation_keeps_its_role_and_gains_the_club(
    send, cohort, district, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        earlier = district_services.invitation_send(
            district=district, email=NEW, role="facilitator", invited_by=admin
        )
    made, sent = send()
    assert made.pk == earlier.pk and sent == []
    earlier.refresh_from_db()
    assert (earlier.role, earlier.cohort) == ("facilitator", cohort)


def test_an_invitation_bringing_another_club_is_not_taken_over(send, cohort, district, book, admin):
    other = cohort_start(district, book, admin, title="Autumn readers")
    send(to=other)
    with pytest.raises(LeapError, match="brings them into “Autumn readers”"):
        send()
    assert Invitation.objects.get(email=NEW).cohort == other


def test_nobody_is_invited_to_a_finished_club(send, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.FINISHED)
    cohort.refresh_from_db()
    with pytest.raises(LeapError, match="nobody can join it now"):
        send(to=cohort)
    assert not Invitation.objects.exists()


# The members page.


def test_the_facilitator_invites_sees_resends_and_withdraws_from_the_members_page(
    client, cohort, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    members = reverse("cohorts:members", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cohorts:member_invite_address", args=[cohort.pk]), {"address-email": NEW}
        )
    assert response.status_code == 302
    page = client.get(members).content.decode()
    assert "Invited to join Riverside Unified" in page and NEW in page
    invitation = Invitation.objects.get(email=NEW)

    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=invitation.sent_at.replace(year=2000)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cohorts:invitation_resend", args=[cohort.pk, invitation.pk]))
    assert [m.to for m in mail.outbox] == [[NEW]]

    client.post(reverse("cohorts:invitation_withdraw", args=[cohort.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.get(members)  # the messages above are shown once
    assert "Invited to join Riverside Unified" not in client.get(members).content.decode()


@pytest.mark.parametrize("typed", ["", "not an address", "sam@", "a" * 250 + "@x.example"])
def test_a_wrong_address_is_refused_with_a_message_and_nothing_sent(client, cohort, admin, typed):
    client.force_login(admin)
    response = client.post(
        reverse("cohorts:member_invite_address", args=[cohort.pk]), {"address-email": typed}
    )
    assert response.status_code == 400
    [error] = response.context["address_form"].errors["email"]
    assert error in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_other_people_cannot_invite_resend_or_withdraw(client, send, cohort, district, book, admin):
    invitation, _ = send()
    other_club = cohort_start(district, book, admin, title="Another club")
    outsiders = [
        onboarded(district_member(district)),  # a member of the district, not running it
        other_district_admin(),
    ]
    urls = [
        reverse("cohorts:member_invite_address", args=[cohort.pk]),
        reverse("cohorts:invitation_resend", args=[cohort.pk, invitation.pk]),
        reverse("cohorts:invitation_withdraw", args=[cohort.pk, invitation.pk]),
    ]
    for user in outsiders:
        signed_in(client, user)
        for url in urls:
            assert client.post(url, {"address-email": "x@y.example"}).status_code == 404, url
    client.force_login(admin)
    # The invitation is this club's, not the other's: named under another club, 404.
    wrong = reverse("cohorts:invitation_withdraw", args=[other_club.pk, invitation.pk])
    assert client.post(wrong).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Invitation.objects.count() == 1
