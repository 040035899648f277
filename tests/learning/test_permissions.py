"""Who sees what on the learner's side, as a matrix: owners see their own records, district
admins their own district, and every URL with an object id answers 404 to anyone else."""

import pytest
from django.urls import reverse

from cms.models import Framework
from learning import services
from learning.models import Membership, PlanItem
from learning.steps import pathway_steps
from tests.factories import DistrictFactory, MembershipFactory, UserFactory, onboarded

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(catalogue, district, district_admin):
    """Ana (a learner of Riverside) with a self-assessment, a plan item and an enrolment;
    Ben, another learner; Riverside's admin; and Lakeview, another district with its admin."""
    ana = onboarded(UserFactory(email="ana@riverside.example", display_name="Ana Díaz"))
    ben = onboarded(UserFactory(email="ben@riverside.example", display_name="Ben Cole"))
    ana_membership = MembershipFactory(user=ana, district=district)
    lakeview = DistrictFactory(name="Lakeview", slug="lakeview")
    lakeview_admin = MembershipFactory(district=lakeview, role="district_admin").user
    lakeview_member = MembershipFactory(district=lakeview)
    framework = Framework.objects.get(code="ISTE-E")
    take = services.assessment_start(user=ana, framework=framework)
    done = services.assessment_start(user=ana, framework=Framework.objects.get(code="ISTE-L"))
    services.assessment_save(
        assessment=done,
        ratings={e.pk: (1, "private note") for e in services.assessable_elements(done.framework)},
        complete=True,
    )
    item = services.plan_add(user=ana, page=catalogue.data, source=PlanItem.Source.CHOSEN)
    enrolment = services.enrolment_enrol(user=ana, pathway=catalogue.pathway)
    reflect = next(s for s in pathway_steps(catalogue.pathway) if s.kind == "reflect")
    services.step_update(
        enrolment=enrolment, step_id=reflect.id, done=True, reflection="Ana's private thought"
    )
    return {
        "ana": ana,
        "ben": ben,
        "admin": district_admin,
        "lakeview_admin": lakeview_admin,
        "district": district,
        "lakeview": lakeview,
        "take": take,
        "done": done,
        "item": item,
        "reflect": reflect,
        "ana_membership": ana_membership,
        "lakeview_member": lakeview_member,
        "catalogue": catalogue,
    }


def owner_urls(world):
    """(method, url) of Ana's own records."""
    return [
        ("get", reverse("learning:assessment_edit", args=[world["take"].pk])),
        ("post", reverse("learning:assessment_edit", args=[world["take"].pk])),
        ("get", reverse("learning:assessment_detail", args=[world["done"].pk])),
        ("post", reverse("learning:plan_item_move", args=[world["item"].pk])),
        ("post", reverse("learning:plan_item_remove", args=[world["item"].pk])),
        (
            "post",
            reverse(
                "learning:step_update",
                args=[world["catalogue"].pathway.pk, world["reflect"].id],
            ),
        ),
    ]


@pytest.mark.parametrize("who", ["ben", "admin", "lakeview_admin"])
def test_someone_elses_records_are_404(client, world, who):
    client.force_login(world[who])
    for method, url in owner_urls(world):
        response = getattr(client, method)(url, {"done": "1", "direction": "up"})
        assert response.status_code == 404, (who, method, url)
    # and nothing changed
    assert PlanItem.objects.filter(pk=world["item"].pk).exists()
    assert world["ana"].enrolments.get().steps.get(step_id=world["reflect"].id).completed_at


def test_the_owner_reaches_every_record(client, world):
    client.force_login(world["ana"])
    for url in [
        reverse("learning:assessment_edit", args=[world["take"].pk]),
        reverse("learning:assessment_detail", args=[world["done"].pk]),
        reverse("learning:plan"),
        reverse("learning:dashboard"),
        reverse("learning:transcript"),
        reverse("learning:transcript_csv"),
    ]:
        assert client.get(url).status_code == 200, url


def test_learners_screens_show_only_their_own_data(client, world):
    client.force_login(world["ben"])
    for url in ["learning:plan", "learning:dashboard", "learning:assessment_start"]:
        html = client.get(reverse(url)).content.decode()
        assert world["catalogue"].data.title not in html  # Ana's plan item
        assert "private note" not in html
        assert "Ana" not in html
    page = client.get(world["catalogue"].pathway.url).content.decode()
    assert "Ana's private thought" not in page
    assert "You are enrolled" not in page


def test_the_owner_sees_their_reflection_on_the_pathway_page(client, world):
    client.force_login(world["ana"])
    page = client.get(world["catalogue"].pathway.url).content.decode()
    assert "Ana&#x27;s private thought" in page
    assert "You are enrolled" in page


def district_urls(district, membership):
    return [
        ("get", reverse("learning:district_home", args=[district.slug])),
        ("post", reverse("learning:district_invite", args=[district.slug])),
        ("post", reverse("learning:district_invite_csv", args=[district.slug])),
        ("post", reverse("learning:district_join_code_reset", args=[district.slug])),
        ("get", reverse("learning:district_member", args=[district.slug, membership.pk])),
        ("post", reverse("learning:district_member", args=[district.slug, membership.pk])),
    ]


@pytest.mark.parametrize("who", ["ana", "ben", "lakeview_admin"])
def test_district_screens_are_404_to_everyone_but_its_admins(client, world, who):
    client.force_login(world[who])
    code = world["district"].join_code
    for method, url in district_urls(world["district"], world["ana_membership"]):
        response = getattr(client, method)(url, {"email": "x@y.example", "role": "learner"})
        assert response.status_code == 404, (who, method, url)
    world["district"].refresh_from_db()
    assert world["district"].join_code == code
    assert not world["district"].invitations.exists()


def test_a_district_admin_sees_their_members_progress_but_not_other_districts(client, world):
    client.force_login(world["admin"])
    home = client.get(reverse("learning:district_home", args=["riverside"]))
    assert home.status_code == 200
    html = home.content.decode()
    assert "Ana Díaz" in html
    assert world["lakeview_member"].user.display_name not in html
    member = client.get(
        reverse("learning:district_member", args=["riverside", world["ana_membership"].pk])
    ).content.decode()
    assert "Data in the Classroom" in member
    assert "private note" not in member and "private thought" not in member
    # Lakeview's member through Riverside's URL, and Lakeview's own pages: 404.
    assert (
        client.get(
            reverse("learning:district_member", args=["riverside", world["lakeview_member"].pk])
        ).status_code
        == 404
    )
    assert client.get(reverse("learning:district_home", args=["lakeview"])).status_code == 404


def test_a_deactivated_admin_loses_access(client, world):
    membership = Membership.objects.get(user=world["admin"])
    MembershipFactory(district=world["district"], role="district_admin")
    services.membership_update(membership=membership, role="district_admin", is_active=False)
    client.force_login(world["admin"])
    assert client.get(reverse("learning:district_home", args=["riverside"])).status_code == 404


def test_admin_changes_a_members_role_and_deactivates_them(client, world):
    client.force_login(world["admin"])
    url = reverse("learning:district_member", args=["riverside", world["ana_membership"].pk])
    response = client.post(url, {"role": "facilitator", "school": ""})
    assert response.status_code == 302
    world["ana_membership"].refresh_from_db()
    assert (world["ana_membership"].role, world["ana_membership"].is_active) == (
        "facilitator",
        False,
    )


@pytest.mark.parametrize(
    "url_name",
    ["learning:dashboard", "learning:plan", "learning:transcript", "learning:assessment_start"],
)
def test_anonymous_visitors_are_asked_to_log_in(client, world, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
