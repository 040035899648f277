import pytest
from django.db import IntegrityError

from accounts.models import User


@pytest.mark.django_db
def test_email_is_the_login_and_is_stored_lower_case():
    user = User.objects.create_user("Ana.Diaz@School.Example", "pw-123456789", display_name="Ana")
    assert user.email == "ana.diaz@school.example"
    assert not hasattr(user, "username")
    assert User.USERNAME_FIELD == "email"
    assert User.objects.get_by_natural_key("ANA.DIAZ@school.example") == user
    assert str(user) == "Ana"
    assert user.get_full_name() == user.get_short_name() == "Ana"


@pytest.mark.django_db
def test_one_account_per_address_whatever_the_case():
    User.objects.create_user("sam@school.example", display_name="Sam")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="SAM@school.example", display_name="Other")])


@pytest.mark.django_db
def test_superusers_are_staff():
    admin = User.objects.create_superuser("admin@school.example", "pw-123456789", display_name="A")
    assert admin.is_superuser and admin.is_staff


def test_an_address_is_required():
    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user("", display_name="Nobody")
