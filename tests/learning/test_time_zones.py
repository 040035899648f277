"""A district's time zone: chosen from the zones the machine knows, and the one a person's
working days are counted in."""

from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from learning.api import time_zone_of
from learning.models import District
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_district_starts_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "America/Chicago"
    assert District(name="Riverside", slug="riverside").time_zone == "America/Chicago"


def test_a_district_time_zone_must_be_a_real_one():
    district = DistrictFactory(time_zone="America/Los_Angeles")
    district.full_clean()
    district.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as error:
        district.full_clean()
    assert error.value.message_dict["time_zone"] == [
        "“Mars/Olympus_Mons” is not a time zone; choose one such as America/Los_Angeles."
    ]


def test_staff_choose_the_zone_in_the_district_admin(admin_client):
    district = DistrictFactory(time_zone="Europe/Lisbon")
    html = admin_client.get(f"/admin/districts/edit/{district.pk}/").content
    assert b'<option value="Europe/Lisbon" selected>Europe/Lisbon</option>' in html


def test_a_person_counts_in_the_zone_of_the_first_district_they_joined(settings):
    settings.TIME_ZONE = "UTC"
    user = UserFactory()
    assert time_zone_of(user=user) == ZoneInfo("UTC")
    closed = DistrictFactory(time_zone="Asia/Tokyo", is_active=False)
    MembershipFactory(user=user, district=closed)
    left = MembershipFactory(
        user=user, district=DistrictFactory(time_zone="Europe/Paris"), is_active=False
    )
    assert time_zone_of(user=user) == ZoneInfo("UTC")
    MembershipFactory(user=user, district=DistrictFactory(time_zone="America/Los_Angeles"))
    MembershipFactory(user=user, district=DistrictFactory(time_zone="America/New_York"))
    assert time_zone_of(user=user) == ZoneInfo("America/Los_Angeles")
    assert time_zone_of(user=user.pk) == ZoneInfo("America/Los_Angeles")
    left.is_active = True
    left.save()
    assert time_zone_of(user=user) == ZoneInfo("Europe/Paris")


def test_a_zone_the_machine_no_longer_knows_falls_back_to_the_sites(settings):
    settings.TIME_ZONE = "UTC"
    user = UserFactory()
    MembershipFactory(user=user, district=DistrictFactory(time_zone="Gone/Away"))
    assert time_zone_of(user=user) == ZoneInfo("UTC")
