"""The district REST API as an integrator meets it: a token reads its own district and
nothing else, only what its scopes allow; wrong tokens, filters, cursors and ids get a 4xx
that says what is wrong; lists page by cursor; each token has its own rate limit; and a
page costs the same queries whatever the district's size."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.models import ApiToken
from integrations.services import api_token_revoke
from tests.integrations.conftest import bearer, district_make, member_add, token_for
from tests.learning.cohorts.factories import facilitator_make, member_make

pytestmark = pytest.mark.django_db

LISTS = [
    "schools",
    "members",
    "enrolments",
    "self-assessments",
    "badges",
    "cohorts",
    "attendance",
    "credit",
]


def get(client, path: str, secret: str | None, **query):
    headers = bearer(secret) if secret else {}
    return client.get(f"/api/v1/{path}", query, **headers)


def ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_token_reads_its_own_district_on_every_list_and_never_another(
    client, riverside, hillcrest
):
    _, secret = token_for(riverside)
    assert get(client, "district", secret).json()["slug"] == "riverside"

    members = get(client, "members", secret).json()["results"]
    assert {m["id"] for m in members} == {m.pk for m in riverside.members} | {
        riverside.district.memberships.get(role="district_admin").pk
    }
    first = next(m for m in members if m["id"] == riverside.members[0].pk)
    assert first["email"] == riverside.members[0].user.email
    assert first["school"] == riverside.schools[0].pk

    member_ids = {m.pk for m in riverside.members}
    for path in LISTS[2:]:
        rows = get(client, path, secret).json()["results"]
        assert rows, path
        if path != "cohorts":
            assert {row["member"] for row in rows} <= member_ids, path
    assert ids(get(client, "cohorts", secret)) == {riverside.cohort.pk}
    assert ids(get(client, "schools", secret)) == {s.pk for s in riverside.schools}
    assert ids(get(client, "badges", secret)) == {str(a.uuid) for a in riverside.badges}


def test_the_records_say_what_an_integration_needs_and_nothing_private(client, riverside):
    _, secret = token_for(riverside)
    take = get(client, "self-assessments", secret).json()["results"][0]
    assert take["framework"] == "ISTE-E"
    assert {rating["level"] for rating in take["ratings"]} == {2}
    assert "a private note" not in str(take)

    enrolment = get(client, "enrolments", secret).json()["results"][0]
    assert enrolment["steps_completed"] == 1
    assert enrolment["pathway_title"] == "Digital citizenship"

    credit = get(client, "credit", secret).json()["results"][0]
    assert credit["hours"] == 1.5 and credit["voided"] is False

    badge = get(client, "badges", secret).json()["results"][0]
    assert badge["revoked"] is False
    # The badge's public address answers with its Open Badges assertion.
    public = client.get(urlsplit(badge["assertion_url"]).path, HTTP_ACCEPT="application/json")
    assert public.status_code == 200
    assert public.json()["id"] == badge["assertion_url"]

    facilitator_make(riverside.cohort)
    member_make(riverside.cohort, state="left")
    cohort = get(client, "cohorts", secret).json()["results"][0]
    assert cohort["member_count"] == len(riverside.members)  # not the facilitator, not who left

    attendance = get(client, "attendance", secret).json()["results"][0]
    assert attendance["cohort"] == riverside.cohort.pk and attendance["status"] == "present"


def test_another_districts_ids_are_not_found(client, riverside, hillcrest):
    _, secret = token_for(riverside)
    own, theirs = riverside.members[0], hillcrest.members[0]
    assert get(client, f"members/{own.pk}", secret).status_code == 200
    for path in (
        f"members/{theirs.pk}",
        f"badges/{hillcrest.badges[0].uuid}",
        f"cohorts/{hillcrest.cohort.pk}",
        f"schools/{hillcrest.schools[0].pk}",
        "badges/not-a-uuid",
        "members/999999",
    ):
        response = get(client, path, secret)
        assert response.status_code == 404, path
        assert "nothing at this address in your district" in response.json()["detail"]


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (None, "Send an API token as “Authorization: Bearer <token>”"),
        ("Token abc", "Authorization: Bearer"),
        ("Bearer", "Authorization: Bearer"),
        ("Bearer leap_nonsense", "not one Leap knows"),
    ],
)
def test_a_missing_or_unknown_token_is_refused(client, riverside, header, says):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/members", **headers)
    assert response.status_code == 401
    assert says in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_or_expired_token_is_refused_and_says_when(client, riverside):
    token, secret = token_for(riverside)
    api_token_revoke(token=token, revoked_by=riverside.admin)
    response = get(client, "members", secret)
    assert response.status_code == 401
    assert "was revoked on" in response.json()["detail"]

    token, secret = token_for(riverside, days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = get(client, "members", secret)
    assert response.status_code == 401
    assert "expired on" in response.json()["detail"]

    # A district that closed takes its tokens with it.
    _, secret = token_for(riverside)
    riverside.district.is_active = False
    riverside.district.save()
    assert get(client, "members", secret).status_code == 401


def test_a_token_reads_only_what_its_scopes_allow(client, riverside):
    _, secret = token_for(riverside, scopes=["badges"])
    assert get(client, "badges", secret).status_code == 200
    response = get(client, "members", secret)
    assert response.status_code == 403
    assert "needs the “members” scope" in response.json()["detail"]
    assert get(client, f"members/{riverside.members[0].pk}", secret).status_code == 403
    assert get(client, "attendance", secret).status_code == 403
    assert get(client, "district", secret).status_code == 200


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("members", {"since": "2026-13-01"}, "since"),
        ("members", {"role": "wizard"}, "role"),
        ("members", {"school": "abc"}, "school"),
        ("credit", {"since": "2026-12-01", "until": "2026-11-01"}, "until"),
        ("badges", {"revoked": "maybe"}, "revoked"),
        ("attendance", {"cohort": "0"}, "cohort"),
        ("self-assessments", {"framework": "NOPE"}, "framework"),
        ("members", {"schol": "3"}, "schol"),
        ("members", {"page_size": "0"}, "page_size"),
        ("members", {"page_size": "5000"}, "page_size"),
        ("members", {"page_size": "abc"}, "page_size"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(client, riverside, path, query, parameter):
    _, secret = token_for(riverside)
    response = get(client, path, secret, **query)
    assert response.status_code == 400
    body = response.json()
    assert parameter in body["errors"]
    assert f"“{parameter}”" in body["detail"]


def test_filters_by_school_and_day(client, riverside, hillcrest):
    _, secret = token_for(riverside)
    north = riverside.schools[0]
    in_north = {m.pk for m in riverside.members if m.school_id == north.pk}
    assert {
        row["member"] for row in get(client, "credit", secret, school=north.pk).json()["results"]
    } == in_north
    assert ids(get(client, "members", secret, school=north.pk)) == in_north
    # Another district's school is not a choice here.
    response = get(client, "members", secret, school=hillcrest.schools[0].pk)
    assert response.status_code == 400 and "school" in response.json()["errors"]

    today = timezone.localdate()
    assert ids(get(client, "credit", secret, since=today.isoformat()))
    assert not ids(get(client, "credit", secret, until=(today - timedelta(days=1)).isoformat()))
    assert ids(get(client, "badges", secret, revoked="false"))
    assert not ids(get(client, "badges", secret, revoked="true"))


def test_lists_page_by_cursor_without_repeats_while_rows_are_added(client, riverside):
    for _ in range(3):
        member_add(riverside, learning=False)
    _, secret = token_for(riverside)
    expected = set(riverside.district.memberships.values_list("pk", flat=True))
    seen, url = [], "/api/v1/members?page_size=2"
    while url:
        page = client.get(url, **bearer(secret)).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        if len(seen) == 2:
            member_add(riverside, learning=False)  # a new member joins mid-way: at the end
        url = page["next"]
    assert len(seen) == len(set(seen))
    assert set(seen) >= expected and len(seen) == len(expected) + 1

    for cursor in ("garbage", "cD1hYmM=", "cD0="):  # nonsense, then p=abc and p= made by hand
        response = get(client, "members", secret, cursor=cursor)
        assert response.status_code == 400, cursor
        assert "cursor" in response.json()["detail"]


def test_each_token_has_its_own_rate_limit(client, riverside, settings):
    settings.LEAP_THROTTLES = {**settings.LEAP_THROTTLES, "api": {"token": (3, 60)}}
    _, first = token_for(riverside)
    _, second = token_for(riverside)
    for _ in range(3):
        assert get(client, "schools", first).status_code == 200
    refused = get(client, "schools", first)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "too many requests" in refused.json()["detail"]
    assert get(client, "schools", second).status_code == 200


def test_guessing_tokens_from_one_address_is_stopped(client, riverside, settings):
    settings.LEAP_THROTTLES = {**settings.LEAP_THROTTLES, "api-unknown-token": {"ip": (3, 900)}}
    _, secret = token_for(riverside)
    guesser = {"REMOTE_ADDR": "203.0.113.7"}  # counts of its own (the cache outlives a test)
    for number in range(3):
        response = client.get("/api/v1/schools", **bearer(f"leap_guess{number}"), **guesser)
        assert response.status_code == 401
    assert client.get("/api/v1/schools", **bearer("leap_guess4"), **guesser).status_code == 429
    # The address waits, whatever it sends; another address is not held up.
    assert client.get("/api/v1/schools", **bearer(secret), **guesser).status_code == 429
    assert get(client, "schools", secret).status_code == 200


def test_self_assessments_are_each_members_latest_take(client, riverside):
    from cms.models import Framework
    from learning import services

    member = riverside.members[0]
    framework = Framework.objects.get(code="ISTE-E")
    again = services.assessment_start(user=member.user, framework=framework)
    services.assessment_save(
        assessment=again,
        ratings={e.pk: (3, "") for e in services.assessable_elements(framework)},
        complete=True,
    )
    _, secret = token_for(riverside)
    takes = get(client, "self-assessments", secret).json()["results"]
    mine = [take for take in takes if take["member"] == member.pk]
    assert [take["id"] for take in mine] == [again.pk]
    assert {rating["level"] for rating in mine[0]["ratings"]} == {3}
    codes = [rating["element"] for rating in mine[0]["ratings"]]
    assert codes == sorted(codes)


def test_a_token_remembers_when_it_was_last_used(client, riverside):
    token, secret = token_for(riverside)
    assert token.last_used_at is None
    get(client, "schools", secret)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert not ApiToken.objects.filter(token_hash=secret).exists()  # only its fingerprint


@pytest.mark.parametrize("path", LISTS)
def test_a_page_costs_the_same_queries_for_a_larger_district(client, badge_class, path):
    small = district_make("Small", "small", size=2, badge_class=badge_class)
    large = district_make("Large", "large", size=12, badge_class=badge_class)

    def queries(data) -> int:
        _, secret = token_for(data)
        get(client, path, secret)  # the first use writes last_used_at
        with CaptureQueriesContext(connection) as captured:
            response = get(client, path, secret)
        assert response.status_code == 200
        return len(captured)

    assert queries(small) == queries(large)
