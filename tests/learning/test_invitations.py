"""The invitation flow, from the link in the e-mail to "you have joined"; district admins
sending invitations again and withdrawing them; what a facilitator's district screen shows."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.invitation_note import SESSION_KEY
from learning.models import Invitation, Membership
from learning.models.districts import INVITATION_MAX_SENDS, INVITATION_RESEND_INTERVAL
from tests.factories import (
    DEFAULT_PASSWORD,
    DistrictFactory,
    MembershipFactory,
    UserFactory,
    onboarded,
)

CONFIRM_LINK = re.compile(r"http://testserver(/accounts/confirm-email/[^\s]+)")


def link_in(message) -> str:
    return "/join/" + message.body.split("/join/")[1].split()[0]


@pytest.fixture
def invite(district, district_admin, django_capture_on_commit_callbacks):
    """Invite an address; the link from the e-mail and the invitation."""

    def send(email="new.teacher@riverside.example", role="learner"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.invitation_send(
                district=district, email=email, role=role, invited_by=district_admin
            )
        [message] = mail.outbox
        return link_in(message), invitation

    return send


def as_admin(client, district_admin):
    client.force_login(district_admin)
    return client


def page(response) -> str:
    return response.content.decode()


# Following the link.


def test_signed_out_the_link_leads_to_sign_up_with_the_address_filled_in(client, invite):
    link, _ = invite()
    response = client.get(link)
    html = page(response)
    signup = re.search(r'href="(/accounts/signup/\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "email=new.teacher%40riverside.example" in signup
    assert signup.endswith(f"&next={link}")
    assert f'href="/accounts/login/?next={link}"' in html

    form = page(client.get(signup))
    assert 'value="new.teacher@riverside.example"' in form
    assert "You are invited to join Riverside Unified." in form


NOTE = "You are invited to join Riverside Unified."


def note_on_entrance_pages(client) -> list[bool]:
    return [NOTE in page(client.get(reverse(name))) for name in ("account_login", "account_signup")]


def test_the_browser_keeps_only_the_links_hash_never_the_address(client, invite):
    link, invitation = invite()
    client.get(link)
    assert note_on_entrance_pages(client) == [True, True]
    kept = dict(client.session)
    assert kept[SESSION_KEY] == invitation.token_hash
    assert not any("riverside" in str(value).lower() for value in kept.values())


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(minutes=1)},
        {"token_hash": "0" * 64},  # sent again: this browser's link no longer works
        {"accepted_at": timezone.now()},
    ],
)
def test_the_note_goes_once_the_invitation_cannot_be_used(client, invite, change):
    link, invitation = invite()
    client.get(link)
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    assert note_on_entrance_pages(client) == [False, False]


def test_confirming_in_another_browser_ends_the_note_in_this_one(
    client, invite, django_capture_on_commit_callbacks
):
    link, _ = invite()
    client.get(link)
    person = UserFactory(email="new.teacher@riverside.example")
    EmailAddress.objects.filter(user=person).update(verified=False)
    address = EmailAddress.objects.get(user=person)
    with django_capture_on_commit_callbacks(execute=True):
        address.send_confirmation(None, signup=True)
    confirm_url = CONFIRM_LINK.search(mail.outbox[-1].body).group(1)
    other_browser = Client()
    other_browser.post(confirm_url)
    assert Membership.objects.filter(user=person).exists()
    assert note_on_entrance_pages(client) == [False, False]


def test_signing_in_forgets_the_note(client, invite):
    link, _ = invite()
    client.get(link)
    someone = onboarded(UserFactory(email="colleague@riverside.example"))
    response = client.post(
        reverse("account_login"), {"login": someone.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_signing_up_from_the_link_joins_without_a_join_code(
    client, invite, django_capture_on_commit_callbacks
):
    link, invitation = invite(role="learner")
    client.get(link)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/accounts/signup/?next={link}",
            {
                "display_name": "Noor Haddad",
                "email": "new.teacher@riverside.example",
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
                "next": link,
            },
        )
    assert response["Location"] == reverse("account_email_verification_sent")
    [confirmation] = mail.outbox
    assert "Hello from" not in confirmation.body
    confirm_url = CONFIRM_LINK.search(confirmation.body).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url)
    # Confirming signs the person in and takes them back to the invitation.
    assert response["Location"] == link
    assert SESSION_KEY not in client.session
    joined = client.get(link)
    assert joined.status_code == 200
    assert "You have joined Riverside Unified" in page(joined)
    assert "Set up your profile" in page(joined)
    membership = Membership.objects.get(user__email="new.teacher@riverside.example")
    assert (membership.district, membership.role, membership.joined_via) == (
        invitation.district,
        "learner",
        "invitation",
    )
    welcome = page(client.get(reverse("learning:onboarding")))
    assert "You are a member of Riverside Unified: no join code needed." in welcome
    assert 'name="join_code"' not in welcome


def test_signed_in_as_the_invited_address_one_button_joins(client, invite):
    link, _ = invite(role="facilitator")
    teacher = onboarded(UserFactory(email="new.teacher@riverside.example"))
    client.force_login(teacher)
    assert "Join Riverside Unified</button>" in page(client.get(link))
    assert not Membership.objects.filter(user=teacher).exists()  # opening it joins nobody

    response = client.post(link)
    assert response["Location"] == link
    joined = page(client.get(link))
    assert "You have joined Riverside Unified" in joined
    assert "Go to your dashboard" in joined
    assert "Open Riverside Unified" in joined  # a facilitator has a district screen
    assert Membership.objects.get(user=teacher).role == "facilitator"
    # Posting again (a double click) changes nothing and still says so.
    client.post(link)
    assert "You have joined Riverside Unified" in page(client.get(link))
    assert Membership.objects.filter(user=teacher).count() == 1


def test_a_used_link_tells_anyone_else_nothing_about_it(client, invite):
    link, _ = invite()
    invited = UserFactory(email="new.teacher@riverside.example")
    client.force_login(invited)
    client.post(link)
    client.logout()

    for visitor in (None, UserFactory(email="someone@else.example")):
        if visitor:
            client.force_login(visitor)
        response = client.get(link)
        assert response.status_code == 410
        assert "This invitation has already been used." in page(response)
        assert "Riverside" not in page(response).split("<main")[1]
        assert "new.teacher" not in page(response)


def test_signed_in_with_another_address_it_says_so_and_offers_to_log_out(client, invite):
    link, _ = invite()
    other = UserFactory(email="ana@riverside.example")
    client.force_login(other)
    html = page(client.get(link))
    assert "and you are signed in as <strong>ana@riverside.example</strong>" in html
    assert f'<input type="hidden" name="next" value="{link}">' in html
    assert "Log out and continue" in html

    response = client.post(link)
    assert response.status_code == 200
    assert not Membership.objects.filter(user=other).exists()
    assert Invitation.objects.get().accepted_at is None

    # Logging out from there comes back to the link, signed out.
    assert client.post(reverse("account_logout"), {"next": link})["Location"] == link


def test_an_unverified_second_address_does_not_count(client, invite):
    link, _ = invite()
    person = UserFactory(email="ana@riverside.example")
    EmailAddress.objects.create(user=person, email="new.teacher@riverside.example")
    client.force_login(person)
    assert "Only the person it was sent to can accept it." in page(client.get(link))
    client.post(link)
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "has expired"),
        ({"revoked_at": timezone.now()}, "Riverside Unified has withdrawn this invitation"),
    ],
)
def test_expired_and_withdrawn_links_say_so_and_join_nobody(client, invite, change, words):
    link, invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    person = UserFactory(email="new.teacher@riverside.example")
    client.force_login(person)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410
        assert words in page(response)
    assert not Membership.objects.filter(user=person).exists()


def test_confirming_the_address_later_does_not_use_a_withdrawn_invitation(invite):
    _, invitation = invite()
    services.invitation_revoke(invitation=invitation)
    person = UserFactory(email="new.teacher@riverside.example")
    assert services.invitations_accept_for_address(user=person, email=person.email) == []
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"token_hash": "0" * 64}, "not valid"),  # sent again: a new link replaced this one
        ({"revoked_at": timezone.now()}, "has withdrawn this invitation"),
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "has expired"),
    ],
)
def test_accepting_checks_the_link_again_once_the_invitation_is_locked(
    invite, monkeypatch, change, words
):
    """A resend, a withdrawal or the expiry may land between reading the link and locking
    the invitation: the locked row decides."""
    link, invitation = invite()
    token = link.removeprefix("/join/").strip("/")
    person = UserFactory(email="new.teacher@riverside.example")
    lock = services._invitation_locked

    def changed_meanwhile(found):
        Invitation.objects.filter(pk=found.pk).update(**change)
        return lock(found)

    monkeypatch.setattr(services, "_invitation_locked", changed_meanwhile)
    with pytest.raises(services.LeapError, match=words):
        services.invitation_accept(user=person, token=token)
    assert not Membership.objects.filter(user=person).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


# Sending again and withdrawing.


def test_admin_sends_an_invitation_again_with_a_new_link_and_expiry(
    client, invite, district, district_admin, django_capture_on_commit_callbacks
):
    old_link, invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - INVITATION_RESEND_INTERVAL,
        expires_at=timezone.now() - timedelta(days=1),
    )
    as_admin(client, district_admin)
    home = page(client.get(reverse("learning:district_home", args=[district.slug])))
    assert "Expired" in home and "new.teacher@riverside.example" in home

    mail.outbox.clear()
    url = reverse("learning:district_invitation_resend", args=[district.slug, invitation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "Invitation sent again to new.teacher@riverside.example" in page(response)
    [message] = mail.outbox
    new_link = link_in(message)
    assert new_link != old_link
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    assert invitation.expires_at > timezone.now() + timedelta(days=13)

    client.logout()
    assert "not valid" in page(client.get(old_link))
    assert "Join Riverside Unified" in page(client.get(new_link))


def test_sending_again_too_soon_or_too_often_is_refused_and_sends_nothing(
    client, invite, district, district_admin, django_capture_on_commit_callbacks
):
    _, invitation = invite()
    as_admin(client, district_admin)
    url = reverse("learning:district_invitation_resend", args=[district.slug, invitation.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "you can send it again in 10 minutes" in page(response)
    assert mail.outbox == []

    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - timedelta(hours=1), send_count=INVITATION_MAX_SENDS
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert f"has been sent to new.teacher@riverside.example {INVITATION_MAX_SENDS} times" in page(
        response
    )
    assert mail.outbox == []
    invitation.refresh_from_db()
    assert invitation.send_count == INVITATION_MAX_SENDS


def test_admin_withdraws_an_invitation_and_its_link_stops_working(
    client, invite, district, district_admin
):
    link, invitation = invite()
    as_admin(client, district_admin)
    url = reverse("learning:district_invitation_revoke", args=[district.slug, invitation.pk])
    response = client.post(url, follow=True)
    assert "The invitation to new.teacher@riverside.example is withdrawn" in page(response)
    assert "No invitations are waiting" in page(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    # Withdrawn: no more actions on it (404), and the address can be invited afresh.
    assert client.post(url).status_code == 404
    new_link, _ = invite()
    assert new_link != link
    assert Invitation.objects.count() == 2


def test_an_accepted_invitation_cannot_be_withdrawn(invite):
    _, invitation = invite()
    person = UserFactory(email="new.teacher@riverside.example")
    services.invitations_accept_for_address(user=person, email=person.email)
    invitation.refresh_from_db()
    with pytest.raises(services.LeapError, match="has already joined"):
        services.invitation_revoke(invitation=invitation)
    with pytest.raises(services.LeapError, match="already accepted"):
        services.invitation_resend(invitation=invitation)


@pytest.mark.parametrize("who", ["learner", "facilitator", "other_admin", "anonymous"])
def test_only_the_districts_admins_may_resend_or_withdraw(client, invite, district, who):
    _, invitation = invite()
    if who == "other_admin":
        client.force_login(
            MembershipFactory(district=DistrictFactory(), role="district_admin").user
        )
    elif who != "anonymous":
        client.force_login(MembershipFactory(district=district, role=who).user)
    for name in ("district_invitation_resend", "district_invitation_revoke"):
        response = client.post(reverse(f"learning:{name}", args=[district.slug, invitation.pk]))
        assert response.status_code == (302 if who == "anonymous" else 404)
        if who == "anonymous":
            assert response["Location"].startswith(reverse("account_login"))
    invitation.refresh_from_db()
    assert (invitation.revoked_at, invitation.send_count) == (None, 1)


def test_another_districts_invitation_is_a_404_and_get_is_refused(
    client, district, district_admin, django_capture_on_commit_callbacks
):
    elsewhere = DistrictFactory()
    admin_elsewhere = MembershipFactory(district=elsewhere, role="district_admin").user
    with django_capture_on_commit_callbacks(execute=True):
        theirs = services.invitation_send(
            district=elsewhere, email="x@else.example", role="learner", invited_by=admin_elsewhere
        )
    as_admin(client, district_admin)
    url = reverse("learning:district_invitation_revoke", args=[district.slug, theirs.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# Facilitators.


@pytest.fixture
def facilitator(district):
    return MembershipFactory(
        district=district, role="facilitator", user=UserFactory(display_name="Farah Idowu")
    ).user


def test_a_facilitator_sees_the_roster_and_nothing_an_admin_manages(
    client, district, district_admin, facilitator, invite
):
    invite(email="waiting@riverside.example")
    learner = MembershipFactory(district=district, user=UserFactory(display_name="Lee Park")).user
    gone = MembershipFactory(
        district=district, is_active=False, user=UserFactory(display_name="Gone Person")
    ).user
    client.force_login(facilitator)
    response = client.get(reverse("learning:district_home", args=[district.slug]))
    assert response.status_code == 200
    html = page(response)
    assert "<h1>Riverside Unified</h1>" in html
    assert "Lee Park" in html and "Farah Idowu (you)" in html
    assert "Gone Person" not in html
    for private in (
        learner.email,
        gone.email,
        district_admin.email,
        "waiting@riverside.example",
        district.join_code,
        "Send invitation",
        "Hours this year",
    ):
        assert private not in html
    assert 'href="/district/riverside/"' in html  # the menu's "District"


@pytest.mark.parametrize(
    "name, args",
    [
        ("district_invite", []),
        ("district_invite_csv", []),
        ("district_join_code_reset", []),
    ],
)
def test_a_facilitator_has_no_admin_actions(client, district, facilitator, name, args):
    client.force_login(facilitator)
    assert client.post(reverse(f"learning:{name}", args=[district.slug, *args])).status_code == 404


def test_a_facilitator_cannot_open_a_members_page(client, district, facilitator, district_admin):
    membership = Membership.objects.get(user=district_admin)
    client.force_login(facilitator)
    url = reverse("learning:district_member", args=[district.slug, membership.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["learner", "other_facilitator", "other_admin", "inactive"])
def test_people_without_a_role_in_the_district_get_a_404(client, district, who):
    if who == "learner":
        user = MembershipFactory(district=district).user
    elif who == "inactive":
        user = MembershipFactory(district=district, role="facilitator", is_active=False).user
    else:
        role = "facilitator" if who == "other_facilitator" else "district_admin"
        user = MembershipFactory(district=DistrictFactory(), role=role).user
    client.force_login(user)
    assert client.get(reverse("learning:district_home", args=[district.slug])).status_code == 404


def test_a_facilitator_lands_on_their_district_after_logging_in(client, district, facilitator):
    onboarded(facilitator)
    response = client.post(
        "/accounts/login/", {"login": facilitator.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("learning:district_home", args=[district.slug])
