import pytest

from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    UserFactory,
    learning_catalogue,
    onboarded,
)


@pytest.fixture
def catalogue(db):
    from cms.demo import site_tree_ensure

    return learning_catalogue(site_tree_ensure())


@pytest.fixture
def teacher(db):
    return onboarded(UserFactory(email="ana@riverside.example", display_name="Ana Díaz"))


@pytest.fixture
def district(db):
    return DistrictFactory(name="Riverside Unified", slug="riverside", join_code="RIVER234")


@pytest.fixture
def district_admin(district):
    return MembershipFactory(district=district, role="district_admin").user
