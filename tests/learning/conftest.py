from types import SimpleNamespace

import pytest

from cms.models import MicroCredentialAlignment, MicroCredentialPrerequisite, PathwayAlignment
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    PathwayIndexPageFactory,
    PathwayPageFactory,
    UserFactory,
    element,
    onboarded,
    step,
)


def align(model, page, codes):
    for order, code in enumerate(codes):
        model.objects.create(page=page, element=element(code), sort_order=order)


@pytest.fixture
def catalogue(db):
    """A small catalogue for teachers: two micro-credentials (the second stacks on the
    first) and a pathway whose third step earns the first."""
    from cms.demo import site_tree_ensure

    home = site_tree_ensure()
    pathways = PathwayIndexPageFactory(parent=home)
    micro_credentials = MicroCredentialIndexPageFactory(parent=home)
    data = MicroCredentialPageFactory(
        parent=micro_credentials, title="Using Classroom Data", pd_hours=3
    )
    align(MicroCredentialAlignment, data, ["2.7"])
    design = MicroCredentialPageFactory(
        parent=micro_credentials, title="Designing Learning", pd_hours=5
    )
    align(MicroCredentialAlignment, design, ["2.5", "2.6"])
    advanced = MicroCredentialPageFactory(
        parent=micro_credentials, title="Advanced Data Coaching", pd_hours=2
    )
    align(MicroCredentialAlignment, advanced, ["2.7"])
    MicroCredentialPrerequisite.objects.create(page=advanced, required_page=data)
    advanced.save_revision().publish()
    pathway = PathwayPageFactory(
        parent=pathways,
        title="Data in the Classroom",
        estimated_hours=6,
        steps=[
            step("read", "Read the guide", instructions="<p>Read it.</p>", url="", book=None),
            step("reflect", "What do you measure?", prompt="What data do you use now?"),
            step("micro_credential", "Earn Using Classroom Data", micro_credential=data.pk),
            {
                "type": "discuss",
                "value": {
                    "title": "Optional: compare notes",
                    "estimated_minutes": 20,
                    "required": False,
                    "prompt": "Share one finding.",
                },
            },
        ],
    )
    align(PathwayAlignment, pathway, ["2.7", "2.1"])
    return SimpleNamespace(
        home=home,
        pathway=pathway,
        data=data,
        design=design,
        advanced=advanced,
        pathways=pathways,
        micro_credentials=micro_credentials,
    )


@pytest.fixture
def teacher(db):
    return onboarded(UserFactory(email="ana@riverside.example", display_name="Ana Díaz"))


@pytest.fixture
def district(db):
    return DistrictFactory(name="Riverside Unified", slug="riverside", join_code="RIVER234")


@pytest.fixture
def district_admin(district):
    return MembershipFactory(district=district, role="district_admin").user
