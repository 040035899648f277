"""People are managed in Wagtail's user admin and the Django admin with Leap's fields."""

import pytest

from accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.django_db
def test_wagtail_user_admin_creates_a_user_with_a_display_name(superuser_client):
    form = superuser_client.get("/admin/users/new/").content.decode()
    assert 'name="display_name"' in form
    assert 'name="first_name"' not in form

    response = superuser_client.post(
        "/admin/users/new/",
        {
            "email": "New.Teacher@School.Example",
            "display_name": "Nia Teacher",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email__iexact="new.teacher@school.example")
    assert user.display_name == "Nia Teacher"
    assert user.check_password("a-long-pass-phrase")


@pytest.mark.django_db
def test_wagtail_user_admin_edits_a_display_name(superuser_client):
    user = UserFactory(display_name="Old Name")
    response = superuser_client.post(
        f"/admin/users/edit/{user.pk}/",
        {"email": user.email, "display_name": "New Name", "is_active": "on"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "New Name"


@pytest.mark.django_db
def test_wagtail_user_admin_lists_people_by_name(superuser_client):
    UserFactory(display_name="Zoe Reviewer")
    listing = superuser_client.get("/admin/users/").content.decode()
    assert "Zoe Reviewer" in listing


@pytest.mark.django_db
def test_learners_cannot_open_the_user_admin(client):
    client.force_login(UserFactory())
    response = client.get("/admin/users/")
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_django_admin_adds_and_lists_users(superuser_client):
    response = superuser_client.post(
        "/django-admin/accounts/user/add/",
        {
            "email": "coach@school.example",
            "display_name": "Cara Coach",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.filter(email="coach@school.example", display_name="Cara Coach").exists()
    assert "Cara Coach" in superuser_client.get("/django-admin/accounts/user/").content.decode()


@pytest.mark.django_db
def test_editors_change_their_name_in_the_cms_but_not_their_email(client):
    editor = UserFactory(display_name="Priya R", is_superuser=True)
    client.force_login(editor)
    page = client.get("/admin/account/").content.decode()
    assert 'name="name_email-display_name"' in page
    assert 'name="name_email-email"' not in page  # e-mail changes are verified by allauth
    assert "first_name" not in page

    response = client.post(
        "/admin/account/",
        {
            "name_email-display_name": "Priya Raman",
            "name_email-email": "thief@evil.example",
            "theme-theme": "system",
            "theme-contrast": "system",
            "theme-density": "default",
        },
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.display_name == "Priya Raman"
    assert editor.email != "thief@evil.example"
