"""Staff "Issued badges": searching by part of an e-mail address or a badge's name, the
indexes that serve it on PostgreSQL, and a count that stays cheap at a million badges."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from credentials.wagtail_hooks import EstimatingPaginator
from tests.factories import MicroCredentialPageFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTING = "/admin/issued_badges/"
ROW = re.compile(r"/admin/issued_badges/revoke/([0-9a-f-]{36})/")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, email="registrar@district.example"))
    return client


@pytest.fixture
def second_badge_class(micro_credential):
    page = MicroCredentialPageFactory(
        parent=micro_credential.get_parent(), title="Blended Learning Audit"
    )
    return badge_class_for_micro_credential(page=page)


@pytest.fixture
def awarded(badge_class, second_badge_class):
    """Badges by the recipient's address, for the badge class named after the slash."""
    classes = {"data": badge_class, "blended": second_badge_class}
    wanted = {
        "maya@school.example/data": "",
        "maya@school.example/blended": "",
        "AMAYA.Ruiz@riverside.k12.example/data": "",
        "jo.brown@riverside.k12.example/blended": "",
        "sam.riverside@lakeview.example/data": "",
        "priya_patel@lakeview.example/data": "",
        "blended.kim@northfield.example/data": "",
    }
    people = {}
    for key in wanted:
        email, which = key.split("/")
        person = people.get(email) or UserFactory(email=email)
        people[email] = person
        assertion = assertion_award(recipient=person, badge_class=classes[which], notify=False)
        wanted[key] = str(assertion.uuid)
    return wanted


def shown(client, query: str) -> set[str]:
    response = client.get(f"{LISTING}?{query}")
    assert response.status_code == 200
    return set(ROW.findall(response.content.decode()))


def badges(awarded, *keys) -> set[str]:
    return {awarded[key] for key in keys}


def test_a_part_of_an_e_mail_address_finds_those_badges_and_no_others(admin_client, awarded):
    assert shown(admin_client, "q=maya") == badges(
        awarded,
        "maya@school.example/data",
        "maya@school.example/blended",
        "AMAYA.Ruiz@riverside.k12.example/data",
    )
    assert shown(admin_client, "q=%40Riverside") == badges(
        awarded,
        "AMAYA.Ruiz@riverside.k12.example/data",
        "jo.brown@riverside.k12.example/blended",
    )  # not sam.riverside@…, whose "riverside" comes before the @
    assert shown(admin_client, "q=priya_") == badges(awarded, "priya_patel@lakeview.example/data")
    assert shown(admin_client, "q=_") == badges(awarded, "priya_patel@lakeview.example/data")


def test_a_part_of_a_badge_name_finds_its_badges_and_addresses_holding_it(admin_client, awarded):
    assert shown(admin_client, "q=blended+LEARNING") == badges(
        awarded, "maya@school.example/blended", "jo.brown@riverside.k12.example/blended"
    )
    # "blended" is in a badge's name and in someone's address: both are found.
    assert shown(admin_client, "q=blended") == badges(
        awarded,
        "maya@school.example/blended",
        "jo.brown@riverside.k12.example/blended",
        "blended.kim@northfield.example/data",
    )


def test_a_search_within_a_filter_finds_what_both_allow(admin_client, awarded, second_badge_class):
    query = f"q=maya&badge_class={second_badge_class.pk}"
    assert shown(admin_client, query) == badges(awarded, "maya@school.example/blended")


def test_a_search_that_finds_nothing_says_so(admin_client, awarded):
    response = admin_client.get(f"{LISTING}?q=nobody-here")
    assert not ROW.findall(response.content.decode())
    assert "No issued badges match your query" in response.content.decode()


def test_the_listing_says_how_many_it_shows(admin_client, awarded):
    page = admin_client.get(LISTING).content.decode()
    assert len(ROW.findall(page)) == 7
    assert "7 issued badges" in page
    assert "There are 3 matches" in admin_client.get(f"{LISTING}?q=maya").content.decode()


@pytest.mark.needs_postgres
def test_past_the_exact_count_postgresql_gives_the_planners_estimate_as_such(
    admin_client, awarded, monkeypatch
):
    monkeypatch.setattr(EstimatingPaginator, "EXACT_UP_TO", 2)
    page = admin_client.get(LISTING).content.decode()
    assert len(ROW.findall(page)) == 7  # every badge is still on the page
    assert re.search(r"(About [\d,]+|More than 2) issued badges", page), page
    assert "7 issued badges" not in page
    search = admin_client.get(f"{LISTING}?q=maya").content.decode()
    assert re.search(r"There are (about [\d,]+|more than 2) matches", search)
    assert "There are 3 matches" not in search


def listing_queries(client, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{LISTING}?{query}").status_code == 200
    return len(captured)


@pytest.mark.parametrize("query", ["", "q=school", "q=data-driven", "revoked=false"])
def test_the_listing_asks_the_same_number_of_queries_at_3_and_30_badges(
    admin_client, badge_class, second_badge_class, query
):
    for n in range(3):
        assertion_award(
            recipient=UserFactory(email=f"few{n}@school.example"),
            badge_class=badge_class,
            notify=False,
        )
    few = listing_queries(admin_client, query)
    for n in range(27):
        assertion_award(
            recipient=UserFactory(email=f"many{n}@school.example"),
            badge_class=(badge_class, second_badge_class)[n % 2],
            notify=False,
        )
    assert listing_queries(admin_client, query) == few


# PostgreSQL: the indexes the search and filters rely on.


@pytest.mark.needs_postgres
def test_the_trigram_index_is_on_the_expression_django_searches_by():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'credentials_assertion_email_trgm'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin" in definition
    assert "upper((recipient_email)::text) gin_trgm_ops" in definition


def search_queries(client, query: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{LISTING}?{query}").status_code == 200
    return [
        q["sql"]
        for q in captured
        if 'FROM "credentials_assertion"' in q["sql"] and not q["sql"].startswith("EXPLAIN")
    ]


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows would be read whole
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.needs_postgres
def test_a_search_by_e_mail_is_served_by_the_trigram_index(admin_client, awarded):
    queries = search_queries(admin_client, "q=riverside.k12")
    assert queries  # the count and the page
    for sql in queries:
        assert 'UPPER("credentials_assertion"."recipient_email"::text) LIKE UPPER(' in sql
        assert "credentials_badgeclass" not in sql.split("WHERE", 1)[1]  # no join to search
    count = next(sql for sql in queries if sql.startswith("SELECT COUNT(*)"))
    with connection.cursor() as cursor:
        # On a few rows, reading the whole b-tree that sorts by e-mail costs next to nothing
        # and undercuts the trigram index, as it never could at scale; it is put back when
        # the test's transaction rolls back.
        cursor.execute("DROP INDEX credentials_assertion_email")
    assert "Bitmap Index Scan on credentials_assertion_email_trgm" in plan(count)


@pytest.mark.needs_postgres
def test_a_search_that_matches_a_badge_name_or_by_bitmaps_of_both_indexes(
    admin_client, awarded, second_badge_class
):
    queries = search_queries(admin_client, "q=blended")
    count = next(sql for sql in queries if sql.startswith("SELECT COUNT(*)"))
    assert f"IN ({second_badge_class.pk})" in count
    explained = plan(count)
    assert "BitmapOr" in explained
    assert "credentials_assertion_email_trgm" in explained
    assert "credentials_assertion_badge_class_id" in explained


@pytest.mark.needs_postgres
def test_the_revoked_filter_reads_its_own_index(admin_client, awarded):
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(f"{LISTING}?revoked=true")
    count = next(q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)"))
    assert "credentials_assertion_revoked" in plan(count)
