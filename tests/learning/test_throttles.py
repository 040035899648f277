"""Join codes and invitation links cannot be guessed by trying many: wrong ones count, and
past the limit the answer is 429 with a plain "please wait". Exports are limited too."""

import pytest
from django.urls import reverse

from cms.models import AudienceRole
from learning.models import Membership
from tests.throttling import limit

pytestmark = pytest.mark.django_db

CODE_WAIT = "Too many codes that did not match"


def test_wrong_join_codes_are_limited_per_person(client, settings, teacher, district):
    limit(settings, "join-code", {"user": (3, 900)}, person=teacher)
    client.force_login(teacher)
    for code in ("WRONG111", "WRONG222", "WRONG333"):
        response = client.post(reverse("learning:join"), {"code": code})
        assert response.status_code == 200
        assert "does not match any district" in response.content.decode()
    refused = client.post(reverse("learning:join"), {"code": "river234"})
    assert refused.status_code == 429
    assert CODE_WAIT in refused.content.decode()
    assert int(refused["Retry-After"]) == 900
    assert not Membership.objects.filter(user=teacher).exists()


def test_the_right_code_is_not_counted(client, settings, teacher, district):
    limit(settings, "join-code", {"user": (1, 900)}, person=teacher)
    client.force_login(teacher)
    assert client.post(reverse("learning:join"), {"code": "river234"}).status_code == 302
    assert client.post(reverse("learning:join"), {"code": "WRONG111"}).status_code == 200


def test_wrong_codes_at_onboarding_count_too(client, settings, teacher, district):
    limit(settings, "join-code", {"user": (1, 900)}, person=teacher)
    client.force_login(teacher)
    teacher_role = AudienceRole.objects.get(code="teacher").pk
    form = {"display_name": "Ana Díaz", "role": teacher_role, "join_code": "WRONG999"}
    assert client.post(reverse("learning:onboarding"), form).status_code == 200
    assert client.post(reverse("learning:onboarding"), form).status_code == 429


def test_unknown_invitation_links_are_limited_per_address(client, settings, district):
    for address in ("198.51.100.40", "198.51.100.41"):
        limit(settings, "invitation-token", {"ip": (2, 900)}, address=address)
    for _ in range(2):
        missing = client.get("/join/not-a-real-token/", REMOTE_ADDR="198.51.100.40")
        assert missing.status_code == 410
    refused = client.get("/join/not-a-real-token/", REMOTE_ADDR="198.51.100.40")
    assert refused.status_code == 429
    assert "Please wait a few minutes" in refused.content.decode()
    # Another address is not held back by this one.
    assert client.get("/join/not-a-real-token/", REMOTE_ADDR="198.51.100.41").status_code == 410


def test_the_transcript_export_is_limited(client, settings, teacher):
    limit(settings, "export", {"user": (2, 600)}, person=teacher)
    client.force_login(teacher)
    for _ in range(2):
        assert client.get(reverse("learning:transcript_csv")).status_code == 200
    refused = client.get(reverse("learning:transcript_csv"))
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/html")
    assert "Please wait a moment" in refused.content.decode()
