"""Reviewer pools in the CMS: staff create pools and add people, by the rules of
`pool_member_add` (leads, and members of a pool with no exemplars, start calibrated)."""

import pytest
from django.contrib.auth.models import Permission

from credentials.models import PoolMember, ReviewerPool
from credentials.requirements import rubric_of
from credentials.services.calibration import exemplar_mark
from credentials.services.evidence import submission_start
from credentials.services.review import pool_member_add
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, email="registrar@district.example"))
    return client


@pytest.fixture
def sam(db):
    return UserFactory(email="sam@reviewers.example", display_name="Sam Okafor")


def test_a_superuser_creates_a_pool_and_adds_members(admin_client, micro_credential, sam):
    assert admin_client.get("/admin/reviewer_pools/new/").status_code == 200
    response = admin_client.post(
        "/admin/reviewer_pools/new/",
        {"name": "Data-driven instruction", "micro_credential": micro_credential.pk},
    )
    assert response.status_code == 302
    pool = ReviewerPool.objects.get(name="Data-driven instruction")
    assert pool.micro_credential_id == micro_credential.pk
    everything = admin_client.post("/admin/reviewer_pools/new/", {"name": "Everything"})
    assert everything.status_code == 302
    assert ReviewerPool.objects.get(name="Everything").micro_credential is None

    form = admin_client.get(f"/admin/reviewer_pool_members/new/?pool={pool.pk}")
    assert form.status_code == 200 and "Reviewer&#x27;s e-mail address" in form.content.decode()
    response = admin_client.post(
        "/admin/reviewer_pool_members/new/", {"pool": pool.pk, "email": "SAM@reviewers.example"}
    )
    assert response.status_code == 302
    member = PoolMember.objects.get(pool=pool, user=sam)
    # No exemplars in the pool yet: the reviewer can take work at once.
    assert member.is_active and not member.is_lead and member.calibrated_at is not None

    listing = admin_client.get("/admin/reviewer_pools/").content.decode()
    assert "Data-driven instruction" in listing and "All micro-credentials" in listing
    members = admin_client.get(f"/admin/reviewer_pool_members/?pool={pool.pk}").content.decode()
    assert "Sam Okafor (sam@reviewers.example)" in members


def test_with_exemplars_a_new_reviewer_calibrates_first_and_a_lead_does_not(
    admin_client, micro_credential, learner, sam
):
    pool = ReviewerPool.objects.create(name="Data-driven instruction")
    submission = submission_start(learner=learner, page=micro_credential)
    exemplar_mark(
        submission=submission,
        pool=pool,
        reference={cid: "meets" for cid, _ in rubric_of(micro_credential)},
        marked_by=None,
    )
    rosa = UserFactory(email="rosa@reviewers.example")
    admin_client.post("/admin/reviewer_pool_members/new/", {"pool": pool.pk, "email": sam.email})
    admin_client.post(
        "/admin/reviewer_pool_members/new/",
        {"pool": pool.pk, "email": rosa.email, "is_lead": "on"},
    )
    assert PoolMember.objects.get(user=sam).calibrated_at is None
    lead = PoolMember.objects.get(user=rosa)
    assert lead.is_lead and lead.calibrated_at is not None

    # Made a lead later: calibrated too. Deactivated: kept, but no longer active.
    member = PoolMember.objects.get(user=sam)
    assert admin_client.get(f"/admin/reviewer_pool_members/edit/{member.pk}/").status_code == 200
    response = admin_client.post(
        f"/admin/reviewer_pool_members/edit/{member.pk}/", {"is_lead": "on", "is_active": "on"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_lead and member.calibrated_at is not None
    admin_client.post(f"/admin/reviewer_pool_members/edit/{member.pk}/", {"is_lead": "on"})
    member.refresh_from_db()
    assert not member.is_active


def test_the_add_form_explains_what_is_wrong(admin_client, sam):
    pool = ReviewerPool.objects.create(name="Everything")
    pool_member_add(pool=pool, user=sam)
    url = "/admin/reviewer_pool_members/new/"
    nobody = admin_client.post(url, {"pool": pool.pk, "email": "nobody@example.org"})
    assert nobody.status_code == 200
    assert "No active Leap account uses this address." in nobody.content.decode()
    twice = admin_client.post(url, {"pool": pool.pk, "email": sam.email})
    assert "already an active member of Everything" in twice.content.decode()
    assert PoolMember.objects.count() == 1

    # A former member added again is active again.
    PoolMember.objects.filter(user=sam).update(is_active=False)
    assert admin_client.post(url, {"pool": pool.pk, "email": sam.email}).status_code == 302
    assert PoolMember.objects.get(user=sam).is_active


def test_people_without_the_permissions_cannot_see_or_change_pools(client, sam):
    pool = ReviewerPool.objects.create(name="Everything")
    client.force_login(UserFactory())  # not staff at all
    response = client.get("/admin/reviewer_pools/")
    assert response.status_code == 302 and "login" in response["Location"]

    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    for url in (
        "/admin/reviewer_pools/",
        "/admin/reviewer_pools/new/",
        "/admin/reviewer_pool_members/",
        "/admin/reviewer_pool_members/new/",
    ):
        assert client.get(url).status_code in (302, 403), url
    client.post("/admin/reviewer_pools/new/", {"name": "Sneaky"})
    client.post("/admin/reviewer_pool_members/new/", {"pool": pool.pk, "email": sam.email})
    assert not ReviewerPool.objects.filter(name="Sneaky").exists()
    assert not PoolMember.objects.exists()
    assert "Reviewer pools" not in client.get("/admin/").content.decode()

    # With the model permissions, the menu and screens appear.
    editor.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_reviewerpool", "change_reviewerpool", "add_poolmember"]
        )
    )
    editor = type(editor).objects.get(pk=editor.pk)  # drop the permission cache
    client.force_login(editor)
    assert client.get("/admin/reviewer_pools/").status_code == 200
    assert "Reviewer pools" in client.get("/admin/").content.decode()
