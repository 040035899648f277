import pytest

from credentials.services.badges import badge_class_for_micro_credential
from tests.factories import (
    FrameworkIndexPageFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
    element,
)


@pytest.fixture
def micro_credential(db, settings):
    from cms.demo import site_tree_ensure
    from cms.models import MicroCredentialAlignment

    home = site_tree_ensure()
    FrameworkIndexPageFactory(parent=home)
    index = MicroCredentialIndexPageFactory(parent=home)
    page = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    for order, code in enumerate(["2.7", "CTO-10"]):
        MicroCredentialAlignment.objects.create(page=page, element=element(code), sort_order=order)
    return page


@pytest.fixture
def badge_class(micro_credential):
    return badge_class_for_micro_credential(page=micro_credential)


@pytest.fixture
def learner(db):
    return UserFactory(email="maya@school.example", display_name="Maya Torres")
