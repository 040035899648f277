"""The learner's screens and the district view cost the same number of SQL queries however
many enrolments, badges, plan items and members there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cms.models import MicroCredentialAlignment
from learning import services
from learning.steps import pathway_steps
from tests.factories import (
    MembershipFactory,
    MicroCredentialPageFactory,
    PathwayPageFactory,
    UserFactory,
    element,
    onboarded,
    self_assessment_finished,
    step,
)

pytestmark = pytest.mark.django_db


def query_count(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def learner_with(catalogue, size: int):
    """A learner with `size` enrolments (one step done in each), badges and plan items,
    and a finished self-assessment."""
    user = onboarded(UserFactory())
    self_assessment_finished(user)
    for n in range(size):
        badge_page = MicroCredentialPageFactory(parent=catalogue.micro_credentials)
        MicroCredentialAlignment.objects.create(page=badge_page, element=element("2.7"))
        pathway = PathwayPageFactory(
            parent=catalogue.pathways,
            steps=[
                step("read", f"Read {n}", instructions="<p>Read.</p>", url="", book=None),
                step("micro_credential", f"Earn {n}", micro_credential=badge_page.pk),
                step("reflect", f"Reflect {n}", prompt="Why?"),
            ],
        )
        enrolment = services.enrolment_enrol(user=user, pathway=pathway)
        first = pathway_steps(pathway)[0]
        services.step_update(enrolment=enrolment, step_id=first.id, done=True)
        services.badge_earned(
            user=user,
            micro_credential_id=badge_page.pk,
            title=badge_page.title,
            hours=3,
            earned_on=timezone.localdate(),
            key=f"badge-{n}",
        )
        services.plan_add(user=user, page=pathway, source="chosen")
    return user


@pytest.mark.parametrize(
    "url",
    [
        reverse("learning:dashboard"),
        reverse("learning:plan"),
        reverse("learning:transcript"),
        reverse("learning:transcript_csv"),
    ],
)
def test_learner_screens_do_not_grow_with_their_records(client, catalogue, url):
    counts = []
    for size in (5, 50):
        client.force_login(learner_with(catalogue, size))
        counts.append(query_count(client, url))
    assert counts[0] == counts[1], counts


def test_district_members_page_does_not_grow_with_members(client, catalogue, district):
    admin = MembershipFactory(district=district, role="district_admin").user
    client.force_login(admin)
    url = reverse("learning:district_home", args=[district.slug])
    counts = []
    for size in (5, 50):
        for _ in range(size - district.memberships.count()):
            MembershipFactory(district=district)
        counts.append(query_count(client, url))
    assert counts[0] == counts[1], counts


def test_district_invitations_list_does_not_grow_with_invitations(client, catalogue, district):
    admin = MembershipFactory(district=district, role="district_admin").user
    client.force_login(admin)
    url = reverse("learning:district_home", args=[district.slug])
    counts = []
    for size in (5, 50):
        for n in range(size - district.invitations.count()):
            services.invitation_send(
                district=district,
                email=f"invitee{size}-{n}@school.example",
                role="learner",
                invited_by=admin,
            )
        counts.append(query_count(client, url))
    assert counts[0] == counts[1], counts


def test_facilitators_roster_does_not_grow_with_members(client, catalogue, district):
    facilitator = MembershipFactory(district=district, role="facilitator").user
    client.force_login(facilitator)
    url = reverse("learning:district_home", args=[district.slug])
    counts = []
    for size in (5, 50):
        for _ in range(size - district.memberships.count()):
            MembershipFactory(district=district)
        counts.append(query_count(client, url))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("url", [reverse("learning:dashboard"), reverse("learning:plan")])
def test_learner_screens_read_the_sites_root_paths_once_however_many_links(
    client, catalogue, monkeypatch, url
):
    """Every page link needs the sites' root paths, which live in the shared cache (Redis in
    production): read once for the request, not once for each of 5 or 50 links."""
    from wagtail.models import Site

    real = Site.get_site_root_paths
    reads = []

    def counted():
        reads.append(1)
        return real()

    monkeypatch.setattr(Site, "get_site_root_paths", staticmethod(counted))
    counts = []
    for size in (5, 20):
        client.force_login(learner_with(catalogue, size))
        reads.clear()
        assert client.get(url).status_code == 200
        counts.append(len(reads))
    assert counts == [1, 1], counts
