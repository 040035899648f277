"""PD goals: a district admin sets the hours asked of everyone, or of a role, each school
year; the dashboard counts who has met it, is on track or is behind (in the database,
one query per goal); those behind get one reminder a month, through their notification
settings; wrong input changes nothing; nobody else may set or remove a goal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from cms.models import AudienceRole
from learning import services
from learning.insights import goal_progress_list
from learning.models import PDGoal
from learning.selectors import school_year_label, school_year_start
from tests.factories import MembershipFactory, UserFactory, onboarded

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = school_year_start(TODAY)


def member(district, *, hours: str = "0", role: str = "teacher"):
    user = onboarded(UserFactory(), role)
    MembershipFactory(user=user, district=district)
    if Decimal(hours):
        services.badge_earned(
            user=user,
            micro_credential_id=None,
            title="Workshop",
            hours=Decimal(hours),
            earned_on=max(YEAR, TODAY - timedelta(days=1)),
            key=f"goal-{user.pk}",
        )
    return user


def test_goals_count_who_is_done_on_track_or_behind(client, district, district_admin):
    client.force_login(district_admin)
    url = reverse("learning:district_goal_set", args=[district.slug])
    coach = AudienceRole.objects.get(code="instructional-coach")
    client.post(url, {"role": "", "hours": "1000"})  # refused: over the limit
    assert not PDGoal.objects.exists()
    client.post(url, {"role": "", "hours": "20"})
    client.post(url, {"role": coach.pk, "hours": "40"})
    client.post(url, {"role": coach.pk, "hours": "30"})  # changed, not added
    assert PDGoal.objects.count() == 2
    done, behind = member(district, hours="25"), member(district)
    member(district, hours="35", role="instructional-coach")
    progress = {
        row.goal.role_id: row
        for row in goal_progress_list(district=district, year_start=YEAR, today=TODAY)
    }
    everyone, coaches = progress[None], progress[coach.pk]
    assert (coaches.members, coaches.done, coaches.behind) == (1, 1, 0)
    # The admin (onboarded as nobody in particular) counts under "everyone".
    assert everyone.done == 1 and everyone.members - everyone.done - everyone.on_track >= 1
    page = client.get(reverse("learning:district_dashboard", args=[district.slug]))
    assert (
        "Instructional coach: 30 hours" in page.content.decode()
        or coach.name in page.content.decode()
    )
    assert done.email not in page.content.decode() and behind.email not in page.content.decode()


def test_those_behind_are_reminded_once_a_month(district, django_capture_on_commit_callbacks):
    services.pd_goal_set(district=district, role=None, hours=Decimal("10"))
    behind = member(district)
    member(district, hours="10")
    mid_year = YEAR + timedelta(days=200)
    with django_capture_on_commit_callbacks(execute=True):
        told = services.pd_goals_remind_behind(today=mid_year)
    assert told == 1
    notice = Notification.objects.get(user=behind)
    assert "You have 0 of the 10 PD hours" in notice.message
    assert services.pd_goals_remind_behind(today=mid_year + timedelta(days=3)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pd_goals_remind_behind(today=mid_year + timedelta(days=31)) == 1
    # Their e-mail setting is "at once" (the default): the reminder is e-mailed too.
    subjects = [message.subject for message in mail.outbox if behind.email in message.to]
    assert subjects == [f"Your PD hours for {school_year_label(mid_year)}: 0 of 10"] * 2


def test_wrong_goal_input_gets_a_message_and_changes_nothing(client, district, district_admin):
    client.force_login(district_admin)
    url = reverse("learning:district_goal_set", args=[district.slug])
    response = client.post(url, {"role": "", "hours": "lots"})
    assert response.status_code == 400 and "Enter a number." in response.content.decode()
    assert client.post(url, {"role": "999999", "hours": "5"}).status_code == 400
    assert not PDGoal.objects.exists()


def test_only_the_districts_admins_set_or_remove_goals(client, district):
    goal = services.pd_goal_set(district=district, role=None, hours=Decimal("10"))
    client.force_login(MembershipFactory(role="district_admin").user)
    set_url = reverse("learning:district_goal_set", args=[district.slug])
    assert client.post(set_url, {"role": "", "hours": "5"}).status_code == 404
    remove_url = reverse("learning:district_goal_remove", args=[district.slug, goal.pk])
    assert client.post(remove_url).status_code == 404
    goal.refresh_from_db()
    assert goal.hours == Decimal("10")
