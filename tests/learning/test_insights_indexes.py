"""The district insights find a district's rows from its members, through indexes, rather
than by reading every district's: on PostgreSQL, with sequential scans priced out, the
heatmap's badge count and its latest takes use the indexes made for them."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import Framework, MicroCredentialPage
from learning import services
from learning.insights import coverage_get
from tests.learning.test_insights_coverage import member_rated

pytestmark = [pytest.mark.django_db, pytest.mark.needs_postgres]


def plan_of(sql: str) -> str:
    """PostgreSQL's plan for the query, as it would run it with no sequential scans."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def heatmap_queries(district) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        coverage = coverage_get(district=district, framework=Framework.objects.get(code="ISTE-E"))
    assert coverage.assessed == 2
    return [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def rated_district(district, catalogue):
    badge = MicroCredentialPage.objects.get(title="Using Classroom Data")
    for n in range(2):
        user = member_rated(district, {"2.7": n})
        services.badge_earned(
            user=user,
            micro_credential_id=badge.pk,
            title=badge.title,
            hours=Decimal("3"),
            earned_on=date(2026, 11, 1),
            key=f"badge-{n}",
        )
    return district


def test_the_badges_held_are_counted_from_each_members_entries(rated_district):
    (badges,) = [sql for sql in heatmap_queries(rated_district) if "learning_creditentry" in sql]
    assert "learning_credit_user_source" in plan_of(badges)


def test_each_members_latest_take_is_found_from_the_member(rated_district):
    (latest,) = [
        sql for sql in heatmap_queries(rated_district) if sql.startswith('SELECT "learning_rating"')
    ]
    assert "learning_assessment_latest" in plan_of(latest)
