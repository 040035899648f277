"""The audit log on the districts' side: role changes and downloads of a district's data are
recorded once each; platform staff read every entry at /audit/ and district admins their
own district's (404 for anyone else), filtered, page by page in a fixed number of queries,
and download them as CSV (the download recorded too)."""

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, audit_record
from accounts.models import AuditEntry
from accounts.request_context import acting_as
from learning import services
from learning.models import Membership
from tests.factories import DistrictFactory, MembershipFactory, UserFactory, onboarded
from tests.learning.cohorts.factories import cohort_make, facilitator_make, member_make

pytestmark = pytest.mark.django_db

ADDRESS = {"REMOTE_ADDR": "198.51.100.20", "HTTP_USER_AGENT": "District browser"}


def only(action: str, **fields) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action, **fields))
    assert len(entries) == 1, [(e.summary, e.target_label) for e in entries]
    return entries[0]


@pytest.fixture
def lakeview(db):
    return DistrictFactory(name="Lakeview Schools", slug="lakeview")


# What is recorded.


def test_a_district_admin_changing_a_role_and_deactivating(client, district, district_admin):
    ana = MembershipFactory(
        district=district, user=UserFactory(email="ana@riverside.example", display_name="Ana Díaz")
    )
    url = reverse("learning:district_member", args=[district.slug, ana.pk])
    client.force_login(district_admin)
    client.post(url, {"role": "facilitator", "is_active": "on"}, **ADDRESS)
    client.post(url, {"role": "facilitator", "is_active": "on"}, **ADDRESS)  # no change
    client.post(url, {"role": "facilitator"}, **ADDRESS)  # deactivated
    entries = list(AuditEntry.objects.filter(action=Action.ROLE_CHANGED).order_by("pk"))
    assert [e.summary for e in entries] == ["Role: learner → facilitator", "Deactivated"]
    for entry in entries:
        assert entry.actor == district_admin
        assert entry.target_label == "Ana Díaz (ana@riverside.example) in Riverside Unified"
        assert (entry.district_id, entry.district_name) == (district.pk, "Riverside Unified")
        assert (entry.ip, entry.user_agent, entry.origin) == (
            "198.51.100.20",
            "District browser",
            "web",
        )


def test_a_refused_change_records_nothing(client, district, district_admin):
    """The last admin cannot step down: nothing changes, nothing is recorded."""
    own = district_admin.memberships.get()
    client.force_login(district_admin)
    url = reverse("learning:district_member", args=[district.slug, own.pk])
    response = client.post(url, {"role": "learner", "is_active": "on"})
    assert response.status_code == 400
    assert not AuditEntry.objects.exists()


def test_staff_adding_and_changing_members_in_the_cms(client, district, district_admin):
    staff = UserFactory(is_superuser=True)
    person = UserFactory(email="ben@riverside.example", display_name="Ben Ode")
    client.force_login(staff)
    client.post(
        "/admin/memberships/new/",
        {"district": district.pk, "email": person.email, "role": "district_admin"},
    )
    membership = Membership.objects.get(user=person)
    client.post(f"/admin/memberships/edit/{membership.pk}/", {"role": "learner", "is_active": "on"})
    entries = list(AuditEntry.objects.filter(action=Action.ROLE_CHANGED).order_by("pk"))
    assert [e.summary for e in entries] == [
        "Added as district admin",
        "Role: district admin → learner",
    ]
    assert {e.actor for e in entries} == {staff} and {e.district_id for e in entries} == {
        district.pk
    }


def test_joining_as_staff_by_invitation_is_a_role_change_and_as_learner_is_not(
    client, district, district_admin, django_capture_on_commit_callbacks
):
    def accept(email, role):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.invitation_send(
                district=district, email=email, role=role, invited_by=district_admin
            )
        link = "/join/" + mail.outbox[0].body.split("/join/")[1].split()[0]
        person = onboarded(UserFactory(email=email, display_name=email.split("@")[0].title()))
        client.force_login(person)
        client.post(link, **ADDRESS)
        return person

    accept("lee@riverside.example", "learner")
    assert not AuditEntry.objects.exists()
    facilitator = accept("fay@riverside.example", "facilitator")
    entry = only(Action.ROLE_CHANGED)
    assert entry.actor == facilitator and entry.summary == "Joined as facilitator by invitation"
    assert entry.district_id == district.pk


def test_access_changes_in_the_wagtail_user_admin(client):
    staff = UserFactory(is_superuser=True, is_staff=True)
    editors = Group.objects.get_or_create(name="Editors")[0]
    person = UserFactory(email="eve@leap.example", display_name="Eve Editor")
    client.force_login(staff)
    fields = {"email": person.email, "display_name": "Eve Editor", "is_active": "on"}
    client.post(f"/admin/users/edit/{person.pk}/", {**fields, "groups": [editors.pk]}, **ADDRESS)
    client.post(f"/admin/users/edit/{person.pk}/", {**fields, "groups": [editors.pk]}, **ADDRESS)
    client.post(f"/admin/users/edit/{person.pk}/", {**fields, "is_superuser": "on"}, **ADDRESS)
    entries = list(AuditEntry.objects.filter(action=Action.ROLE_CHANGED).order_by("pk"))
    assert [e.summary for e in entries] == [
        "Added to Editors",
        "Made a superuser; Removed from Editors",
    ]
    assert {e.target_label for e in entries} == {"Eve Editor (eve@leap.example)"}
    assert {e.actor for e in entries} == {staff}


def test_access_changes_in_the_django_admin(client):
    staff = UserFactory(is_superuser=True, is_staff=True)
    person = UserFactory(email="zed@leap.example", display_name="Zed")
    client.force_login(staff)
    response = client.post(
        f"/django-admin/accounts/user/{person.pk}/change/",
        {
            "email": person.email,
            "display_name": "Zed",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert only(Action.ROLE_CHANGED).summary == "Given the Django admin"


def test_downloading_the_districts_book_club_csvs(client, district, district_admin):
    cohort = cohort_make(district=district, title="Reading Together")
    facilitator_make(cohort, district_admin)
    member_make(cohort)
    client.force_login(district_admin)
    client.get(reverse("cohort_feeds:district_report_csv", args=[district.slug]), **ADDRESS)
    client.get(reverse("cohort_facilitating:report_csv", args=[cohort.pk]), **ADDRESS)
    client.get(reverse("cohort_feeds:district_report", args=[district.slug]))  # a page: no
    participation, final = AuditEntry.objects.filter(action=Action.DATA_EXPORTED).order_by("pk")
    assert participation.target_label == "Book-club attendance and hours (CSV)"
    assert participation.details == {"rows": 2}
    assert final.target_label == "Final report of “Reading Together” (CSV)"
    assert final.target_type.model == "cohort" and final.target_id == str(cohort.pk)
    assert final.summary == "Downloaded Final report of “Reading Together” (CSV)"
    for entry in (participation, final):
        assert entry.actor == district_admin and entry.district_id == district.pk
        assert entry.ip == "198.51.100.20"


# The screens.


def entries_for(district, count, *, action=Action.ROLE_CHANGED, actor=None):
    with acting_as(origin="test", actor=actor):
        return [
            audit_record(
                action=action,
                target_label=f"Person {n} in {district.name if district else 'Leap'}",
                district=district,
                summary=f"Change {n}",
            )
            for n in range(count)
        ]


def status(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def test_who_may_read_which_log(client, district, district_admin, lakeview):
    facilitator = MembershipFactory(district=district, role="facilitator").user
    learner = MembershipFactory(district=district).user
    other_admin = MembershipFactory(district=lakeview, role="district_admin").user
    staff = UserFactory(is_staff=True)
    superuser = UserFactory(is_superuser=True)
    everything = ["/audit/", "/audit/export.csv"]
    riverside = ["/district/riverside/audit/", "/district/riverside/audit/export.csv"]
    for url in everything + riverside:
        assert status(client, None, url) == 302  # to sign in
    for url in everything:
        for user in (learner, facilitator, district_admin, other_admin):
            assert status(client, user, url) == 404
        for user in (staff, superuser):
            assert status(client, user, url) == 200
    for url in riverside:
        for user in (learner, facilitator, other_admin, staff):
            assert status(client, user, url) == 404
        assert status(client, district_admin, url) == 200
    assert status(client, district_admin, "/district/nowhere/audit/") == 404


def test_a_district_reads_only_its_own_entries(client, district, district_admin, lakeview):
    entries_for(district, 2)
    entries_for(lakeview, 1)
    entries_for(None, 1)
    client.force_login(district_admin)
    page = client.get("/district/riverside/audit/").content.decode()
    assert "Person 0 in Riverside Unified" in page and "Person 1 in Riverside Unified" in page
    assert "Lakeview" not in page and "in Leap" not in page
    # Asking for another district's entries in the address changes nothing.
    page = client.get("/district/riverside/audit/", {"district": lakeview.pk}).content.decode()
    assert "Lakeview" not in page


def test_staff_filter_by_action_actor_dates_and_district(client, district, lakeview):
    staff = UserFactory(is_staff=True, email="ops@leap.example")
    ana = UserFactory(email="ana@riverside.example")
    entries_for(district, 1, actor=ana)
    entries_for(lakeview, 1, action=Action.BADGE_REVOKED)
    client.force_login(staff)

    def rows(**params):
        html = client.get("/audit/", params).content.decode()
        return re.findall(r"Person \d in [\w ]+", html)

    assert rows() == ["Person 0 in Lakeview Schools", "Person 0 in Riverside Unified"]
    assert rows(action="badge_revoked") == ["Person 0 in Lakeview Schools"]
    assert rows(actor="ANA@river") == ["Person 0 in Riverside Unified"]
    assert rows(district=district.pk) == ["Person 0 in Riverside Unified"]
    today = timezone.localdate()
    assert len(rows(since=today.isoformat(), until=today.isoformat())) == 2
    assert rows(until=(today - dt.timedelta(days=1)).isoformat()) == []
    assert rows(since=(today + dt.timedelta(days=1)).isoformat()) == []


def test_wrong_filters_say_what_is_wrong_and_show_nothing(client):
    client.force_login(UserFactory(is_superuser=True))
    entries_for(None, 1)
    response = client.get("/audit/", {"since": "2026-02-30", "action": "rewrite"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid date." in html and "Select a valid choice." in html
    assert "Person 0" not in html
    response = client.get("/audit/", {"since": "2026-03-02", "until": "2026-03-01"})
    assert "Choose a date on or after the “From” date." in response.content.decode()
    response = client.get("/audit/", {"before": "x"})
    assert response.status_code == 400
    response = client.get("/audit/export.csv", {"until": "yesterday"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action=Action.DATA_EXPORTED).exists()


def test_pages_go_back_in_time_by_a_cursor(client):
    client.force_login(UserFactory(is_superuser=True))
    made = entries_for(None, 120)
    html = client.get("/audit/").content.decode()
    shown = [int(n) for n in re.findall(r"Change (\d+)<", html)]
    assert shown == list(range(119, 69, -1))  # the newest 50
    older = re.search(r'href="(\?before=\d+)" rel="next">Older entries', html).group(1)
    assert "Newer entries" not in html
    html = client.get("/audit/" + older).content.decode()
    assert [int(n) for n in re.findall(r"Change (\d+)<", html)] == list(range(69, 19, -1))
    newer = re.search(r'href="(\?after=\d+)" rel="prev">Newer entries', html).group(1)
    last = re.search(r'href="(\?before=\d+)" rel="next">Older entries', html).group(1)
    html = client.get("/audit/" + last).content.decode()
    assert [int(n) for n in re.findall(r"Change (\d+)<", html)] == list(range(19, -1, -1))
    assert "Older entries" not in html
    html = client.get("/audit/" + newer).content.decode()
    assert [int(n) for n in re.findall(r"Change (\d+)<", html)] == list(range(119, 69, -1))
    assert made[0].pk < made[-1].pk


def queries_for(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_pages_cost_the_same_queries_with_10_or_200_entries(client, district, district_admin):
    staff = UserFactory(is_superuser=True)
    readers = [(staff, "/audit/"), (district_admin, "/district/riverside/audit/")]

    def counts():
        found = []
        for user, url in readers:
            client.force_login(user)
            found.append(queries_for(client, url))
        return found

    entries_for(district, 10)
    small = counts()
    entries_for(district, 190)
    assert counts() == small


def csv_of(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_csv_download_has_every_filtered_entry_safe_for_spreadsheets(
    client, district, district_admin, lakeview
):
    with acting_as(
        origin="test", actor=UserFactory(email="=cmd@evil.example", display_name="=1+1")
    ):
        audit_record(
            action=Action.BADGE_REVOKED,
            target_label="@SUM(A1)",
            district=district,
            summary="Revoked: copied",
            details={"assertion": "abc"},
        )
    entries_for(district, 60)
    entries_for(lakeview, 3)
    client.force_login(district_admin)
    response = client.get("/district/riverside/audit/export.csv", **ADDRESS)
    assert response["Content-Disposition"] == 'attachment; filename="riverside-audit-log.csv"'
    rows = csv_of(response)
    # Every entry of the district (more than a page), newest first; the download is recorded
    # before it is read, so it lists itself first.
    assert len(rows) == 1 + 60 + 1
    assert rows[0]["Action"] == "Data exported"
    assert rows[0]["About"] == "Audit log of Riverside Unified (CSV)"
    assert rows[0]["IP address"] == "198.51.100.20" and rows[0]["Browser"] == "District browser"
    revoked = rows[-1]
    assert revoked["Action"] == "Badge revoked" and revoked["District"] == "Riverside Unified"
    assert revoked["Done by"] == "'=1+1" and revoked["Done by (e-mail)"] == "'=cmd@evil.example"
    assert revoked["About"] == "'@SUM(A1)" and revoked["Details"] == '{"assertion": "abc"}'
    assert revoked["From"] == "test"
    assert dt.datetime.fromisoformat(revoked["When (UTC)"]).utcoffset() == dt.timedelta(0)
    assert not any("Lakeview" in row["About"] for row in rows)

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    rows = csv_of(client.get("/audit/export.csv", {"action": "badge_revoked"}))
    assert [row["About"] for row in rows] == ["'@SUM(A1)"]
    export = AuditEntry.objects.filter(action=Action.DATA_EXPORTED, actor=staff).get()
    assert export.details == {"filters": {"action": "badge_revoked"}}
    assert export.district_id is None
