"""Platform staff run districts, domains, schools, memberships and the credit ledger in the
Wagtail admin ("Districts"), with Wagtail's model permissions."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learning import services
from learning.models import CreditEntry, District, DistrictDomain, Membership, School
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def staff_with(*codenames):
    """A CMS user whose group grants these learning permissions (and admin access)."""
    group = Group.objects.create(name="District support")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="learning", codename__in=codenames),
    )
    user = UserFactory()
    user.groups.add(group)
    return user


def refused(response) -> bool:
    """Wagtail answers a refused admin request with a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def credit(user, n: int = 1) -> CreditEntry:
    return CreditEntry.objects.create(
        user=user,
        source=CreditEntry.Source.PATHWAY,
        source_key=f"pathway:{n}",
        title=f"Pathway {n}",
        hours=3,
        earned_on=timezone.localdate(),
    )


# Districts.


def test_a_superuser_creates_lists_and_searches_districts(staff_client):
    response = staff_client.post(
        "/admin/districts/new/",
        {
            "name": "Springfield Public Schools",
            "slug": "springfield",
            "join_code": "sp-ri 42",
            "join_code_enabled": "on",
            "time_zone": "America/Chicago",
            "pd_hours_per_badge": "",
            "reviewers_exclude_same_district": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    district = District.objects.get(slug="springfield")
    assert district.join_code == "SPRI42"  # stored as people's typing is read
    assert district.time_zone == "America/Chicago"

    DistrictFactory(name="Shelbyville Unified", slug="shelbyville")
    listing = staff_client.get("/admin/districts/").content.decode()
    assert "Springfield Public Schools" in listing and "Shelbyville Unified" in listing
    found = staff_client.get("/admin/districts/", {"q": "springf"}).content.decode()
    assert "Springfield Public Schools" in found
    assert "Shelbyville Unified" not in found
    by_slug = staff_client.get("/admin/districts/", {"q": "shelbyville"}).content.decode()
    assert "Shelbyville Unified" in by_slug


def test_domains_and_schools_are_listed_by_district(staff_client):
    riverside = DistrictFactory(name="Riverside", slug="riverside")
    hilltop = DistrictFactory(name="Hilltop", slug="hilltop")
    response = staff_client.post(
        "/admin/district-domains/new/", {"district": riverside.pk, "domain": "riverside.k12.us"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert DistrictDomain.objects.get(district=riverside).domain == "riverside.k12.us"
    DistrictDomain.objects.create(district=hilltop, domain="hilltop.example")
    School.objects.create(district=riverside, name="Oak Elementary")
    School.objects.create(district=hilltop, name="Pine Middle")

    domains = staff_client.get("/admin/district-domains/", {"district": riverside.pk})
    assert "riverside.k12.us" in domains.content.decode()
    assert "hilltop.example" not in domains.content.decode()
    schools = staff_client.get("/admin/schools/", {"district": hilltop.pk}).content.decode()
    assert "Pine Middle" in schools and "Oak Elementary" not in schools
    form = staff_client.get("/admin/schools/new/", {"district": riverside.pk}).content.decode()
    assert f'<option value="{riverside.pk}" selected>' in form


def test_without_the_learning_permissions_the_screens_are_refused(client):
    client.force_login(staff_with())  # CMS access, nothing more
    for url in (
        "/admin/districts/",
        "/admin/districts/new/",
        "/admin/district-domains/",
        "/admin/schools/",
        "/admin/memberships/",
        "/admin/credit-ledger/",
    ):
        assert refused(client.get(url)), url
    assert "/admin/districts/" not in client.get("/admin/").content.decode()


def test_model_permissions_decide_what_staff_may_do(client):
    district = DistrictFactory()
    client.force_login(staff_with("view_district"))
    assert client.get("/admin/districts/").status_code == 200
    assert refused(client.get("/admin/districts/new/"))
    assert refused(client.post(f"/admin/districts/edit/{district.pk}/", {"name": "Renamed"}))
    district.refresh_from_db()
    assert district.name != "Renamed"


def test_districts_and_memberships_are_deactivated_not_deleted(staff_client):
    membership = MembershipFactory()
    district = membership.district
    assert refused(staff_client.post(f"/admin/districts/delete/{district.pk}/"))
    assert refused(staff_client.post(f"/admin/memberships/delete/{membership.pk}/"))
    assert District.objects.filter(pk=district.pk).exists()
    assert Membership.objects.filter(pk=membership.pk).exists()


# Memberships.


def test_a_member_is_added_by_the_address_of_an_existing_account(staff_client):
    district = DistrictFactory()
    person = UserFactory(email="kim@riverside.example")
    response = staff_client.post(
        "/admin/memberships/new/",
        {"district": district.pk, "email": "KIM@riverside.example", "role": "district_admin"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = Membership.objects.get(user=person, district=district)
    assert (membership.role, membership.joined_via) == ("district_admin", "admin")

    again = staff_client.post(
        "/admin/memberships/new/",
        {"district": district.pk, "email": "kim@riverside.example", "role": "learner"},
    )
    assert "already a member" in again.content.decode()
    unknown = staff_client.post(
        "/admin/memberships/new/",
        {"district": district.pk, "email": "nobody@riverside.example", "role": "learner"},
    )
    assert "No active Leap account uses this address." in unknown.content.decode()
    assert Membership.objects.filter(district=district).count() == 1


def test_a_former_member_added_again_comes_back_with_the_new_role(staff_client):
    membership = MembershipFactory(is_active=False)
    response = staff_client.post(
        "/admin/memberships/new/",
        {
            "district": membership.district_id,
            "email": membership.user.email,
            "role": "facilitator",
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.is_active, membership.role) == (True, "facilitator")


def test_demoting_the_last_admin_in_the_admin_is_refused_and_changes_nothing(staff_client):
    admin = MembershipFactory(role="district_admin")
    url = f"/admin/memberships/edit/{admin.pk}/"
    response = staff_client.post(url, {"role": "learner", "school": "", "is_active": "on"})
    assert response.status_code == 200
    assert "needs at least one active district admin" in response.content.decode()
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == ("district_admin", True)
    deactivate = staff_client.post(url, {"role": "district_admin", "school": ""})
    assert "needs at least one active district admin" in deactivate.content.decode()
    admin.refresh_from_db()
    assert admin.is_active

    # With a second admin, the first can step down.
    other = MembershipFactory(district=admin.district, role="learner")
    school = School.objects.create(district=admin.district, name="Oak Elementary")
    staff_client.post(
        f"/admin/memberships/edit/{other.pk}/",
        {"role": "district_admin", "school": school.pk, "is_active": "on"},
    )
    response = staff_client.post(url, {"role": "learner", "school": "", "is_active": "on"})
    assert response.status_code == 302
    admin.refresh_from_db()
    other.refresh_from_db()
    assert (admin.role, other.role, other.school) == ("learner", "district_admin", school)


def test_a_members_school_is_one_of_their_districts(staff_client):
    membership = MembershipFactory()
    elsewhere = School.objects.create(district=DistrictFactory(), name="Elsewhere High")
    response = staff_client.post(
        f"/admin/memberships/edit/{membership.pk}/",
        {"role": "learner", "school": elsewhere.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.school is None


def test_members_are_filtered_by_district_role_and_activity(staff_client):
    riverside = DistrictFactory(name="Riverside")
    MembershipFactory(district=riverside, role="district_admin", user__display_name="Ana Díaz")
    MembershipFactory(district=riverside, role="learner", user__display_name="Ben Ito")
    MembershipFactory(
        district=riverside, role="learner", is_active=False, user__display_name="Cy Old"
    )
    MembershipFactory(role="learner", user__display_name="Dee Elsewhere")

    def names(**params) -> set[str]:
        html = staff_client.get("/admin/memberships/", params).content.decode()
        return {n for n in ("Ana Díaz", "Ben Ito", "Cy Old", "Dee Elsewhere") if n in html}

    assert names(district=riverside.pk) == {"Ana Díaz", "Ben Ito", "Cy Old"}
    assert names(district=riverside.pk, role="learner") == {"Ben Ito", "Cy Old"}
    assert names(district=riverside.pk, is_active="true") == {"Ana Díaz", "Ben Ito"}
    assert names(q="dee") == {"Dee Elsewhere"}


# The ledger.


def test_the_ledger_is_read_only_even_for_superusers(staff_client):
    learner = UserFactory(email="ana@riverside.example")
    entry = credit(learner)
    services.badge_earned(
        user=learner,
        micro_credential_id=None,
        title="Using Classroom Data",
        hours=3,
        earned_on=timezone.localdate(),
        key="badge-1",
    )
    services.badge_withdrawn(user=learner, key="badge-1", reason="Issued in error")

    listing = staff_client.get("/admin/credit-ledger/").content.decode()
    assert "Pathway 1" in listing and "ana@riverside.example" in listing
    assert "Issued in error" in listing  # voided entries are shown, as void
    assert "/admin/credit-ledger/new/" not in listing
    assert staff_client.get(f"/admin/credit-ledger/inspect/{entry.pk}/").status_code == 200

    assert refused(staff_client.get("/admin/credit-ledger/new/"))
    assert refused(staff_client.get(f"/admin/credit-ledger/edit/{entry.pk}/"))
    assert refused(staff_client.post(f"/admin/credit-ledger/edit/{entry.pk}/", {"title": "X"}))
    assert refused(staff_client.post(f"/admin/credit-ledger/delete/{entry.pk}/"))
    entry.refresh_from_db()
    assert entry.title == "Pathway 1"
    assert CreditEntry.objects.count() == 2


# Queries.


def populate(size: int) -> None:
    for n in range(size):
        district = DistrictFactory()
        DistrictDomain.objects.create(district=district, domain=f"{district.slug}.example")
        school = School.objects.create(district=district, name=f"School {n}")
        membership = MembershipFactory(district=district, school=school, role="district_admin")
        MembershipFactory(district=district)
        credit(membership.user, n)


def query_count(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    "url", ["/admin/districts/", "/admin/memberships/", "/admin/credit-ledger/", "/admin/schools/"]
)
def test_listings_cost_the_same_queries_for_3_or_30_districts(staff_client, url):
    populate(3)
    few = query_count(staff_client, url)
    populate(27)
    assert query_count(staff_client, url) == few
