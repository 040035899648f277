"""Two districts with a little of everything the API serves, and tokens to read them."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.models import Framework
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from integrations.models import ApiScope
from integrations.services import api_token_create
from learning import services
from learning.models import Enrolment, School, StepProgress
from tests.factories import (
    DistrictFactory,
    FrameworkIndexPageFactory,
    MembershipFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
)
from tests.learning.cohorts.factories import attend, cohort_make, member_make, session_make

ALL_SCOPES = list(ApiScope.values)


@dataclass
class DistrictData:
    district: object
    admin: object
    schools: list
    members: list = field(default_factory=list)  # memberships
    badges: list = field(default_factory=list)
    cohort: object = None


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def token_for(data: DistrictData, scopes=ALL_SCOPES, days: int = 90):
    return api_token_create(
        district=data.district, name="SIS import", scopes=scopes, days=days, created_by=data.admin
    )


@pytest.fixture
def badge_class(db):
    from cms.demo import site_tree_ensure

    home = site_tree_ensure()
    FrameworkIndexPageFactory(parent=home)
    index = MicroCredentialIndexPageFactory(parent=home)
    page = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    return badge_class_for_micro_credential(page=page)


def member_add(data: DistrictData, *, school=None, role="learner", learning=True, badge_class=None):
    """A member with an enrolment (one step done), a finished self-assessment, PD credit,
    and (given a badge class) a badge."""
    membership = MembershipFactory(district=data.district, school=school, role=role)
    user = membership.user
    data.members.append(membership)
    if not learning:
        return membership
    enrolment = Enrolment.objects.create(
        user=user, pathway=None, pathway_title="Digital citizenship"
    )
    StepProgress.objects.create(enrolment=enrolment, step_id="a", completed_at=timezone.now())
    StepProgress.objects.create(enrolment=enrolment, step_id="b")
    framework = Framework.objects.get(code="ISTE-E")
    take = services.assessment_start(user=user, framework=framework)
    services.assessment_save(
        assessment=take,
        ratings={e.pk: (2, "a private note") for e in services.assessable_elements(framework)},
        complete=True,
    )
    services.badge_earned(
        user=user,
        micro_credential_id=None,
        title="Book club",
        hours=Decimal("1.5"),
        earned_on=timezone.localdate(),
        key=f"club-{user.pk}",
    )
    if badge_class is not None:
        data.badges.append(assertion_award(recipient=user, badge_class=badge_class, notify=False))
    if data.cohort is not None:
        member_make(data.cohort, user)
        attend(data.cohort.sessions.first(), user)
    return membership


def district_make(name: str, slug: str, *, size: int = 2, badge_class=None) -> DistrictData:
    district = DistrictFactory(name=name, slug=slug)
    admin = MembershipFactory(district=district, role="district_admin").user
    schools = [
        School.objects.create(district=district, name=f"{name} North"),
        School.objects.create(district=district, name=f"{name} South"),
    ]
    data = DistrictData(district=district, admin=admin, schools=schools)
    data.cohort = cohort_make(district=district)
    session_make(data.cohort, number=1)
    for number in range(size):
        member_add(data, school=schools[number % 2], badge_class=badge_class)
    return data


@pytest.fixture
def riverside(badge_class) -> DistrictData:
    return district_make("Riverside", "riverside", badge_class=badge_class)


@pytest.fixture
def hillcrest(badge_class) -> DistrictData:
    return district_make("Hillcrest", "hillcrest", badge_class=badge_class)


@pytest.fixture
def outsider(db):
    return UserFactory()
