"""Sensitive actions need a recent log-in (accounts.reauthentication): after the timeout each
one sends the person to confirm who they are and changes nothing; just after a log-in it
goes through; and confirming replays the action the person was doing. (Deleting one's own
account asks for the password on its own form, so it needs no second confirmation.)"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from credentials.models import Assertion, PoolMember, ReviewerPool
from credentials.services.badges import assertion_award
from credentials.services.review import pool_member_add
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from tests.learning.cohorts.factories import cohort_make, facilitator_of

REAUTHENTICATE = "/accounts/reauthenticate/"
LONG_AGO = 11 * 60  # past the ten-minute default


@dataclass
class Action:
    person: User
    method: str
    url: str
    data: dict | None = None
    unchanged: object = None  # a function: True while nothing has happened


def revoke(badge_class, learner):
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    return Action(
        UserFactory(is_superuser=True, is_staff=True),
        "post",
        f"/admin/issued_badges/revoke/{assertion.uuid}/",
        {"reason": "Evidence was copied."},
        lambda: not Assertion.objects.get(pk=assertion.pk).revoked,
    )


def bulk_award_form(badge_class, learner):
    admin = UserFactory(is_superuser=True, is_staff=True)
    return Action(admin, "get", "/admin/issued_badges/award-from-csv/")


def issued_badges_export(badge_class, learner):
    admin = UserFactory(is_superuser=True, is_staff=True)
    return Action(admin, "get", "/admin/issued_badges/?export=csv")


def wagtail_user_edit(badge_class, learner):
    admin = UserFactory(is_superuser=True, is_staff=True)
    url = reverse("wagtailusers_users:edit", args=[learner.pk])
    data = {"email": learner.email, "display_name": learner.display_name, "is_superuser": "on"}
    return Action(
        admin, "post", url, data, lambda: not User.objects.get(pk=learner.pk).is_superuser
    )


def wagtail_group_delete(badge_class, learner):
    admin = UserFactory(is_superuser=True, is_staff=True)
    group = Group.objects.create(name="Readers")
    url = reverse("wagtailusers_groups:delete", args=[group.pk])
    return Action(admin, "post", url, {}, lambda: Group.objects.filter(pk=group.pk).exists())


def django_admin_user_change(badge_class, learner):
    admin = UserFactory(is_superuser=True, is_staff=True)
    url = f"/django-admin/accounts/user/{learner.pk}/change/"
    data = {"email": learner.email, "display_name": "Changed", "is_superuser": "on"}
    return Action(
        admin, "post", url, data, lambda: not User.objects.get(pk=learner.pk).is_superuser
    )


def wagtail_pool_member_add(badge_class, learner):
    admin = UserFactory(is_superuser=True, is_staff=True)
    pool = ReviewerPool.objects.create(name="Pool")
    data = {"pool": pool.pk, "email": learner.email}
    return Action(
        admin,
        "post",
        reverse("credentials_pool_member:add"),
        data,
        lambda: not PoolMember.objects.filter(user=learner).exists(),
    )


def audit_export(badge_class, learner):
    return Action(UserFactory(is_superuser=True, is_staff=True), "get", "/audit/export.csv")


def _district_admin_and_member():
    admin = MembershipFactory(role="district_admin")
    member = MembershipFactory(district=admin.district)
    return admin.user, admin.district, member


def district_role_change(badge_class, learner):
    admin, district, member = _district_admin_and_member()
    url = reverse("learning:district_member", args=[district.slug, member.pk])
    return Action(
        admin,
        "post",
        url,
        {"role": "district_admin", "is_active": "on"},
        lambda: type(member).objects.get(pk=member.pk).role == "learner",
    )


def district_member_delete(badge_class, learner):
    admin, district, member = _district_admin_and_member()
    url = reverse("learning:district_member_delete", args=[district.slug, member.pk])
    return Action(
        admin,
        "post",
        url,
        {"reason": "Asked by e-mail", "email": member.user.email},
        lambda: User.objects.filter(pk=member.user_id).exists(),
    )


def district_audit_export(badge_class, learner):
    admin, district, _ = _district_admin_and_member()
    return Action(admin, "get", reverse("learning:district_audit_log_csv", args=[district.slug]))


def attendance_export(badge_class, learner):
    admin, district, _ = _district_admin_and_member()
    url = reverse("cohort_feeds:district_report_csv", args=[district.slug])
    return Action(admin, "get", url)


def final_report_export(badge_class, learner):
    cohort = cohort_make()
    url = reverse("cohort_facilitating:report_csv", args=[cohort.pk])
    return Action(facilitator_of(cohort), "get", url)


def _lead_and_pool():
    lead = UserFactory()
    pool = ReviewerPool.objects.create(name="Pool")
    pool_member_add(pool=pool, user=lead, is_lead=True)
    return lead, pool


def lead_pool_add(badge_class, learner):
    lead, pool = _lead_and_pool()
    return Action(
        lead,
        "post",
        reverse("review_lead:pool", args=[pool.pk]),
        {"email": learner.email},
        lambda: not PoolMember.objects.filter(user=learner).exists(),
    )


def lead_member_pause(badge_class, learner):
    lead, pool = _lead_and_pool()
    member = pool_member_add(pool=pool, user=learner)
    return Action(
        lead,
        "post",
        reverse("review_lead:member_active", args=[pool.pk, member.pk]),
        {"action": "pause"},
        lambda: PoolMember.objects.get(pk=member.pk).is_active,
    )


def lead_member_remove(badge_class, learner):
    lead, pool = _lead_and_pool()
    member = pool_member_add(pool=pool, user=learner)
    return Action(
        lead,
        "post",
        reverse("review_lead:member_remove", args=[pool.pk, member.pk]),
        {},
        lambda: PoolMember.objects.filter(pk=member.pk).exists(),
    )


def own_data_download(badge_class, learner):
    return Action(learner, "post", "/accounts/your-data/download/")


ACTIONS = [
    revoke,
    bulk_award_form,
    issued_badges_export,
    wagtail_user_edit,
    wagtail_group_delete,
    django_admin_user_change,
    wagtail_pool_member_add,
    audit_export,
    district_role_change,
    district_member_delete,
    district_audit_export,
    attendance_export,
    final_report_export,
    lead_pool_add,
    lead_member_pause,
    lead_member_remove,
    own_data_download,
]


def _do(client, action: Action):
    send = getattr(client, action.method)
    return send(action.url, action.data or {})


@pytest.mark.parametrize("make", ACTIONS, ids=lambda make: make.__name__)
def test_each_sensitive_action_asks_who_it_is_after_the_timeout(client, make, badge_class, learner):
    action = make(badge_class, learner)
    before = action.unchanged() if action.unchanged else None
    client.force_login(action.person)
    client.authentication_age(action.person, LONG_AGO)

    response = _do(client, action)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{REAUTHENTICATE}?next=")
    if action.unchanged:
        assert action.unchanged() == before, "nothing may change before the confirmation"


@pytest.mark.parametrize("make", ACTIONS, ids=lambda make: make.__name__)
def test_just_after_log_in_the_action_goes_through(client, make, badge_class, learner):
    action = make(badge_class, learner)
    before = action.unchanged() if action.unchanged else None
    client.force_login(action.person)

    response = _do(client, action)
    assert not response.get("Location", "").startswith(REAUTHENTICATE)
    assert response.status_code in (200, 302)
    if action.unchanged:
        assert action.unchanged() != before, f"{make.__name__} did not happen: {response}"


def test_confirming_the_password_finishes_the_revocation_it_interrupted(
    client, badge_class, learner
):
    action = revoke(badge_class, learner)
    client.force_login(action.person)
    client.authentication_age(action.person, LONG_AGO)
    asked = _do(client, action)
    confirm = client.get(asked["Location"])
    assert confirm.status_code == 200 and "password" in confirm.content.decode().lower()

    wrong = client.post(asked["Location"], {"password": "not-my-password"})
    assert wrong.status_code == 200 and action.unchanged()

    client.post(asked["Location"], {"password": DEFAULT_PASSWORD})
    assert not action.unchanged()
    uuid = action.url.rstrip("/").rsplit("/", 1)[1]
    public = client.get(f"/public/assertions/{uuid}", HTTP_ACCEPT="application/json")
    assert public.json().get("revoked") is True
