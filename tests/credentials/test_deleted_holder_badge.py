"""A deleted learner's badge still verifies in the official 1EdTech validator, by the hashed
identity, against a live server (tests/accounts/test_data_rights.py has the rest of account
deletion). Here, after the browser tests: a transactional test that runs before them leaves
the first one a database without Wagtail's tree."""

import pytest
from django.contrib.auth import get_user_model

from tests.accounts.test_data_rights import delete_own, learner_with_everything
from tests.credentials.test_official_validator import validate

User = get_user_model()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_deleted_learners_badge_still_verifies_in_the_official_validator(
    client, live_server, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = live_server.url
    world = learner_with_everything(django_capture_on_commit_callbacks)
    assertion = world["assertion"]
    url = f"{live_server.url}/public/assertions/{assertion.uuid}"
    delete_own(client, world["maya"])
    assert not User.objects.filter(email="maya@riverside.example").exists()
    verdict = validate(url, "maya@riverside.example")
    assert verdict["errors"] == [] and verdict["valid"] is True
    assert validate(url, "someone.else@riverside.example")["valid"] is False
