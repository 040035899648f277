"""learning.services: joining, self-assessment, the plan, progress and the credit ledger."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import include, path, resolve
from django.utils import timezone

from accounts.errors import LeapError
from cms.models import Framework
from credentials.services.badges import (
    assertion_award,
    assertion_revoke,
    badge_class_for_micro_credential,
)
from learning import selectors, services
from learning.models import (
    CreditEntry,
    DistrictDomain,
    Enrolment,
    Invitation,
    Membership,
    PlanItem,
    Rating,
    StepProgress,
)
from learning.steps import pathway_steps
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


# Joining.


def test_join_code_ignores_case_spaces_and_dashes(teacher, district):
    membership = services.membership_join_by_code(user=teacher, code=" river-234 ")
    assert (membership.district, membership.role, membership.joined_via) == (
        district,
        "learner",
        "join_code",
    )
    again = services.membership_join_by_code(user=teacher, code="RIVER234")
    assert again.pk == membership.pk


@pytest.mark.parametrize("code", ["", "NOPE1234", "RIVER23"])
def test_unknown_join_code_is_refused_and_changes_nothing(teacher, district, code):
    with pytest.raises(LeapError, match="does not match any district"):
        services.membership_join_by_code(user=teacher, code=code)
    assert not Membership.objects.filter(user=teacher).exists()


def test_join_code_turned_off_no_longer_works(teacher, district):
    district.join_code_enabled = False
    district.save()
    with pytest.raises(LeapError):
        services.membership_join_by_code(user=teacher, code="RIVER234")


def test_deactivated_member_cannot_rejoin_with_the_code(teacher, district):
    MembershipFactory(user=teacher, district=district, is_active=False)
    with pytest.raises(LeapError, match="deactivated"):
        services.membership_join_by_code(user=teacher, code="RIVER234")
    assert not Membership.objects.get(user=teacher).is_active


def test_a_verified_address_on_the_district_domain_joins(district):
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    DistrictDomain.objects.create(district=district, domain="Riverside.example")
    user = UserFactory(email="new@riverside.example", verified=False)
    address = EmailAddress.objects.create(user=user, email=user.email, verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert Membership.objects.get(user=user).joined_via == "domain"

    other = UserFactory(email="someone@elsewhere.example", verified=False)
    address = EmailAddress.objects.create(user=other, email=other.email, verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert not Membership.objects.filter(user=other).exists()


def invite(district, email="new.teacher@riverside.example", role="learner", by=None):
    """Send an invitation and return it with the token from the e-mailed link."""
    mail.outbox.clear()
    invitation = services.invitation_send(district=district, email=email, role=role, invited_by=by)
    return invitation


def sent_token(django_capture_on_commit_callbacks, **kwargs) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        invite(**kwargs)
    [message] = mail.outbox
    return message.body.split("/join/")[1].split("/")[0]


# The site's URLs with learning's under a prefix: links must follow the URLconf.
urlpatterns = [path("people/", include("learning.urls"))]


def test_the_invitation_link_follows_the_url_configuration(
    district, settings, django_capture_on_commit_callbacks
):
    settings.ROOT_URLCONF = __name__
    settings.SITE_URL = "https://leap.example"
    with django_capture_on_commit_callbacks(execute=True):
        invite(district=district)
    [link] = [word for word in mail.outbox[0].body.split() if word.startswith("https://")]
    assert link.startswith("https://leap.example/people/join/")
    assert resolve(urlsplit(link).path).view_name == "learning:invitation"


def test_invitation_is_emailed_after_commit_and_accepted_once(
    district, district_admin, django_capture_on_commit_callbacks
):
    token = sent_token(
        django_capture_on_commit_callbacks,
        district=district,
        email="Coach@Riverside.example",
        role="facilitator",
        by=district_admin,
    )
    assert mail.outbox[0].to == ["coach@riverside.example"]
    assert token not in Invitation.objects.get().token_hash  # only a hash is stored
    coach = UserFactory(email="coach@riverside.example")
    membership = services.invitation_accept(user=coach, token=token)
    assert (membership.role, membership.joined_via) == ("facilitator", "invitation")
    with pytest.raises(LeapError, match="already been used"):
        services.invitation_accept(user=coach, token=token)


def test_expired_invitation_is_refused(district, django_capture_on_commit_callbacks):
    token = sent_token(django_capture_on_commit_callbacks, district=district)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    user = UserFactory(email="new.teacher@riverside.example")
    with pytest.raises(LeapError, match="has expired"):
        services.invitation_accept(user=user, token=token)
    assert not Membership.objects.filter(user=user).exists()


def test_invitation_needs_the_invited_verified_address(
    district, django_capture_on_commit_callbacks
):
    token = sent_token(django_capture_on_commit_callbacks, district=district, role="district_admin")
    stranger = UserFactory(email="someone@elsewhere.example")
    with pytest.raises(LeapError, match="was sent to new.teacher@riverside.example"):
        services.invitation_accept(user=stranger, token=token)
    assert Invitation.objects.get().accepted_at is None
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_invitation_never_changes_an_active_members_role(district, district_admin):
    membership = Membership.objects.get(user=district_admin)
    with pytest.raises(LeapError, match="already a member"):
        invite(district, email=district_admin.email, role="learner")
    # Even an older invitation, sent before they joined, cannot demote them.
    Invitation.objects.create(
        district=district, email=district_admin.email, role="learner", token_hash="x" * 64
    )
    services.invitations_accept_for_address(user=district_admin, email=district_admin.email)
    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == ("district_admin", True)


def test_an_invitation_brings_a_deactivated_member_back(
    district, django_capture_on_commit_callbacks
):
    member = MembershipFactory(district=district, is_active=False)
    token = sent_token(
        django_capture_on_commit_callbacks,
        district=district,
        email=member.user.email,
        role="facilitator",
    )
    services.invitation_accept(user=member.user, token=token)
    member.refresh_from_db()
    assert (member.is_active, member.role) == (True, "facilitator")


def test_a_new_invitation_replaces_the_open_one(district):
    invite(district)
    invite(district, role="facilitator")
    assert Invitation.objects.get().role == "facilitator"


def test_a_district_keeps_one_active_admin(district, district_admin):
    membership = Membership.objects.get(user=district_admin)
    with pytest.raises(LeapError, match="at least one active district admin"):
        services.membership_update(membership=membership, role="learner", is_active=True)
    with pytest.raises(LeapError):
        services.membership_update(membership=membership, role="district_admin", is_active=False)
    second = MembershipFactory(district=district, role="district_admin")
    services.membership_update(membership=membership, role="learner", is_active=True)
    membership.refresh_from_db()
    assert membership.role == "learner"
    assert second.role == "district_admin"


# Self-assessment.


@pytest.fixture
def iste_e():
    return Framework.objects.get(code="ISTE-E")


def ratings_for(framework, level=1):
    return {e.pk: (level, "") for e in services.assessable_elements(framework)}


def test_assessment_saves_part_way_and_finishes_only_when_complete(teacher, iste_e):
    take = services.assessment_start(user=teacher, framework=iste_e)
    first = services.assessable_elements(iste_e).first()
    services.assessment_save(assessment=take, ratings={first.pk: (2, "Some practice.")})
    assert services.assessment_start(user=teacher, framework=iste_e).pk == take.pk
    with pytest.raises(LeapError, match="Still to rate: 2.2 Leader, 2.3 Citizen"):
        services.assessment_save(assessment=take, ratings={}, complete=True)
    take.refresh_from_db()
    assert take.completed_at is None
    assert take.ratings.get().note == "Some practice."
    services.assessment_save(assessment=take, ratings=ratings_for(iste_e), complete=True)
    take.refresh_from_db()
    assert take.is_complete


@pytest.mark.parametrize("level", [-1, 4, 7])
def test_rating_off_the_scale_is_refused_and_nothing_is_saved(teacher, iste_e, level):
    take = services.assessment_start(user=teacher, framework=iste_e)
    ratings = ratings_for(iste_e)
    ratings[next(iter(ratings))] = (level, "")
    with pytest.raises(LeapError, match="not on the scale"):
        services.assessment_save(assessment=take, ratings=ratings)
    assert not Rating.objects.exists()


def test_rating_of_another_frameworks_element_is_refused(teacher, iste_e):
    take = services.assessment_start(user=teacher, framework=iste_e)
    cto = services.assessable_elements(Framework.objects.get(code="CTO")).first()
    with pytest.raises(LeapError, match="outside this framework"):
        services.assessment_save(assessment=take, ratings={cto.pk: (1, "")})


def test_every_take_is_kept_and_a_retake_starts_from_the_last(teacher, iste_e):
    first = services.assessment_start(user=teacher, framework=iste_e)
    services.assessment_save(assessment=first, ratings=ratings_for(iste_e, 1), complete=True)
    second = services.assessment_start(user=teacher, framework=iste_e)
    assert second.pk != first.pk
    assert {r.level for r in second.ratings.all()} == {1}
    element = services.assessable_elements(iste_e).first()
    services.assessment_save(assessment=second, ratings={element.pk: (3, "")}, complete=True)
    takes, rows = selectors.rating_history_get(user=teacher, framework=iste_e)
    assert takes == [first, second]
    changed = next(row for row in rows if row.element == element)
    assert (changed.levels, changed.change) == ([1, 3], 2)


# Recommendations from the database.


def test_recommendations_follow_gaps_role_prerequisites_and_say_why(teacher, iste_e, catalogue):
    take = services.assessment_start(user=teacher, framework=iste_e)
    ratings = ratings_for(iste_e, 3)
    codes = {e.code: e.pk for e in services.assessable_elements(iste_e)}
    ratings[codes["2.7"]] = (0, "")  # Analyst: not evident
    ratings[codes["2.5"]] = (2, "")  # Designer: established
    services.assessment_save(assessment=take, ratings=ratings, complete=True)

    recommendations = selectors.recommendation_list(user=teacher, assessment=take)
    titles = [r.page.title for r in recommendations]
    # 2.7's gap (3) over 3 hours beats 2.5's gap (1) over 5 hours; the pathway (6 h) closes
    # the same gap more slowly; advanced data coaching needs its prerequisite first.
    assert titles == ["Using Classroom Data", "Data in the Classroom", "Designing Learning"]
    assert recommendations[0].reasons == ("Analyst: you rated Not evident",)


def test_earned_badges_leave_the_recommendations_and_unlock_what_stacks(teacher, iste_e, catalogue):
    take = services.assessment_start(user=teacher, framework=iste_e)
    services.assessment_save(assessment=take, ratings=ratings_for(iste_e, 1), complete=True)
    assertion_award(
        recipient=teacher, badge_class=badge_class_for_micro_credential(page=catalogue.data)
    )
    titles = [r.page.title for r in selectors.recommendation_list(user=teacher, assessment=take)]
    assert "Using Classroom Data" not in titles
    assert "Advanced Data Coaching" in titles


def test_items_for_other_roles_are_not_recommended(teacher, iste_e, catalogue):
    from cms.models import AudienceRole

    catalogue.design.audience_roles.add(AudienceRole.objects.get(code="school-leader"))
    catalogue.design.save()  # a parental many-to-many is written when the page is saved
    take = services.assessment_start(user=teacher, framework=iste_e)
    services.assessment_save(assessment=take, ratings=ratings_for(iste_e, 0), complete=True)
    titles = [r.page.title for r in selectors.recommendation_list(user=teacher, assessment=take)]
    assert "Designing Learning" not in titles


# The plan.


def test_plan_keeps_the_learners_order(teacher, catalogue):
    items = [
        services.plan_add(user=teacher, page=page, source="chosen")
        for page in (catalogue.data, catalogue.design, catalogue.pathway)
    ]
    assert services.plan_add(user=teacher, page=catalogue.data, source="chosen") == items[0]
    services.plan_move(item=items[2], offset=-1)
    services.plan_move(item=items[0], offset=1)
    order = [item.page_id for item in PlanItem.objects.filter(user=teacher)]
    assert order == [catalogue.pathway.pk, catalogue.data.pk, catalogue.design.pk]
    services.plan_remove(item=items[1])
    assert PlanItem.objects.filter(user=teacher).count() == 2


def test_only_published_catalogue_pages_go_in_a_plan(teacher, catalogue):
    catalogue.design.unpublish()
    with pytest.raises(LeapError):
        services.plan_add(user=teacher, page=catalogue.design, source="chosen")
    with pytest.raises(LeapError):
        services.plan_add(user=teacher, page=catalogue.home, source="chosen")


# Pathways in progress and credit.


def step_ids(pathway):
    return {step.kind: step.id for step in pathway_steps(pathway)}


def test_enrolment_checks_prerequisites(teacher, catalogue):
    from cms.models import PathwayPrerequisite

    PathwayPrerequisite.objects.create(page=catalogue.pathway, required_page=catalogue.design)
    pathway = type(catalogue.pathway).objects.get(pk=catalogue.pathway.pk)
    with pytest.raises(LeapError, match="Finish “Designing Learning”"):
        services.enrolment_enrol(user=teacher, pathway=pathway)
    assert not Enrolment.objects.exists()


def test_steps_badge_and_completion_credit_hours_once(teacher, catalogue):
    pathway = catalogue.pathway
    enrolment = services.enrolment_enrol(user=teacher, pathway=pathway)
    ids = step_ids(pathway)
    services.step_update(enrolment=enrolment, step_id=ids["read"], done=True)
    with pytest.raises(LeapError, match="Write your reflection"):
        services.step_update(enrolment=enrolment, step_id=ids["reflect"], done=True)
    services.step_update(
        enrolment=enrolment, step_id=ids["reflect"], done=True, reflection="Exit tickets."
    )
    with pytest.raises(LeapError, match="when you earn the micro-credential"):
        services.step_update(enrolment=enrolment, step_id=ids["micro_credential"], done=True)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None

    # Earning the badge (through credentials) completes the step, then the pathway.
    assertion = assertion_award(
        recipient=teacher, badge_class=badge_class_for_micro_credential(page=catalogue.data)
    )
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None  # the optional discuss step is not needed
    credit = {e.source: e for e in CreditEntry.objects.filter(user=teacher)}
    assert credit["pathway"].hours == Decimal("6.0")
    assert credit["badge"].hours == Decimal("3.0")
    assert credit["badge"].url.endswith(f"/public/assertions/{assertion.uuid}")

    # Reopening a step and finishing again credits nothing more.
    services.step_update(enrolment=enrolment, step_id=ids["read"], done=False)
    services.step_update(enrolment=enrolment, step_id=ids["read"], done=True)
    assert CreditEntry.objects.filter(user=teacher).count() == 2


def test_enrolling_after_earning_starts_with_the_badge_step_done(teacher, catalogue):
    assertion_award(
        recipient=teacher, badge_class=badge_class_for_micro_credential(page=catalogue.data)
    )
    services.enrolment_enrol(user=teacher, pathway=catalogue.pathway)
    [view] = selectors.enrolment_list(user=teacher)
    assert (view.progress.done, view.progress.required) == (1, 3)
    assert not StepProgress.objects.exists()  # held badges count; nothing is copied


def test_a_badge_step_added_after_earning_completes_the_pathway_on_publish(
    teacher, catalogue, django_capture_on_commit_callbacks
):
    pathway = catalogue.pathway
    enrolment = services.enrolment_enrol(user=teacher, pathway=pathway)
    ids = step_ids(pathway)
    services.step_update(enrolment=enrolment, step_id=ids["read"], done=True)
    services.step_update(enrolment=enrolment, step_id=ids["reflect"], done=True, reflection="x")
    assertion_award(
        recipient=teacher, badge_class=badge_class_for_micro_credential(page=catalogue.design)
    )
    # An editor swaps the open badge step for one the learner already holds.
    pathway.steps[2] = (
        "micro_credential",
        {**pathway.steps[2].value, "micro_credential": catalogue.design},
    )
    with django_capture_on_commit_callbacks(execute=True):
        pathway.save_revision().publish()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_a_revoked_badge_reopens_its_step_in_unfinished_pathways(teacher, catalogue):
    enrolment = services.enrolment_enrol(user=teacher, pathway=catalogue.pathway)
    assertion = assertion_award(
        recipient=teacher, badge_class=badge_class_for_micro_credential(page=catalogue.data)
    )
    assert selectors.enrolment_list(user=teacher)[0].progress.done == 1
    assertion_revoke(assertion=assertion, reason="Not the learner's own work.", revoked_by=None)
    assert selectors.enrolment_list(user=teacher)[0].progress.done == 0
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None


def test_an_expired_badge_is_recommended_again(teacher, iste_e, catalogue):
    take = services.assessment_start(user=teacher, framework=iste_e)
    services.assessment_save(assessment=take, ratings=ratings_for(iste_e, 1), complete=True)
    assertion_award(
        recipient=teacher, badge_class=badge_class_for_micro_credential(page=catalogue.data)
    )
    CreditEntry.objects.update(expires_on=timezone.localdate() - timedelta(days=1))
    titles = [r.page.title for r in selectors.recommendation_list(user=teacher, assessment=take)]
    assert "Using Classroom Data" in titles


def test_a_pathway_without_required_steps_needs_every_step(teacher, catalogue):
    from tests.factories import PathwayPageFactory, step

    optional = {"required": False}
    pathway = PathwayPageFactory(
        parent=catalogue.pathways,
        steps=[
            step("read", "Read", instructions="<p>.</p>", url="", book=None, **optional),
            step("discuss", "Talk", prompt="Why?", **optional),
        ],
    )
    enrolment = services.enrolment_enrol(user=teacher, pathway=pathway)
    first, second = (s.id for s in pathway_steps(pathway))
    services.step_update(enrolment=enrolment, step_id=first, done=True)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    services.step_update(enrolment=enrolment, step_id=second, done=True)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None

    empty = PathwayPageFactory(parent=catalogue.pathways, steps=[])
    assert services.enrolment_enrol(user=teacher, pathway=empty).completed_at is None
    assert not CreditEntry.objects.filter(page=empty).exists()


def test_deleting_a_pathway_keeps_the_learners_history(teacher, catalogue):
    enrolment = services.enrolment_enrol(user=teacher, pathway=catalogue.pathway)
    reflect = step_ids(catalogue.pathway)["reflect"]
    services.step_update(enrolment=enrolment, step_id=reflect, done=False, reflection="Mine.")
    catalogue.pathway.delete()
    enrolment.refresh_from_db()
    assert (enrolment.pathway, enrolment.pathway_title) == (None, "Data in the Classroom")
    assert enrolment.steps.get().reflection == "Mine."
    [view] = selectors.enrolment_list(user=teacher)
    assert view.enrolment == enrolment


def test_an_unpublished_prerequisite_does_not_block_recommendations(teacher, iste_e, catalogue):
    catalogue.data.unpublish()
    take = services.assessment_start(user=teacher, framework=iste_e)
    services.assessment_save(assessment=take, ratings=ratings_for(iste_e, 1), complete=True)
    titles = [r.page.title for r in selectors.recommendation_list(user=teacher, assessment=take)]
    assert "Advanced Data Coaching" in titles


def test_revoking_a_badge_voids_its_credit(teacher, catalogue):
    assertion = assertion_award(
        recipient=teacher, badge_class=badge_class_for_micro_credential(page=catalogue.data)
    )
    assertion_revoke(
        assertion=assertion, reason="Evidence was not the learner's own.", revoked_by=None
    )
    entry = CreditEntry.objects.get(user=teacher)
    assert entry.voided_at is not None
    assert selectors.transcript_get(user=teacher) == []
    assert catalogue.data.pk not in selectors.done_page_id_list(user=teacher)


def test_district_setting_credits_set_hours_per_badge(teacher, district, catalogue):
    district.pd_hours_per_badge = Decimal("2.5")
    district.save()
    MembershipFactory(user=teacher, district=district)
    assertion_award(
        recipient=teacher, badge_class=badge_class_for_micro_credential(page=catalogue.data)
    )
    assert CreditEntry.objects.get(user=teacher).hours == Decimal("2.5")


@pytest.mark.parametrize(
    ("day", "start_month", "label"),
    [
        ("2026-07-01", 7, "2026–27"),
        ("2026-06-30", 7, "2025–26"),
        ("2027-01-15", 7, "2026–27"),
        ("2026-03-01", 1, "2026"),
        ("2026-08-31", 9, "2025–26"),
    ],
)
def test_school_years(settings, day, start_month, label):
    from datetime import date

    settings.LEAP_SCHOOL_YEAR_START_MONTH = start_month
    assert selectors.school_year_label(date.fromisoformat(day)) == label


def test_verifying_an_invited_address_accepts_the_invitation(district):
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    invite(district, email="coach@riverside.example", role="facilitator")
    user = UserFactory(email="coach@riverside.example", verified=False)
    address = EmailAddress.objects.create(user=user, email=user.email, verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.joined_via) == ("facilitator", "invitation")
    assert Invitation.objects.get().accepted_by == user
