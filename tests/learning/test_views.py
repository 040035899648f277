"""The learner's and district admin's screens as a person uses them, including every kind of
bad input: a clear message, and nothing changed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cms.models import AudienceRole, Framework
from learning import services
from learning.models import Invitation, LearnerProfile, Membership, PlanItem, Rating
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Onboarding and joining.


def test_a_new_account_is_sent_to_onboarding_then_to_the_self_assessment(client, district):
    user = UserFactory(display_name="")
    client.force_login(user)
    assert client.get(reverse("learning:dashboard"))["Location"] == reverse("learning:onboarding")
    response = client.post(
        reverse("learning:onboarding"),
        {
            "display_name": "  Ana   Díaz ",
            "role": AudienceRole.objects.get(code="instructional-coach").pk,
            "join_code": "river-234",
        },
    )
    assert response["Location"] == reverse("learning:assessment_start")
    user.refresh_from_db()
    assert user.display_name == "Ana Díaz"
    assert LearnerProfile.objects.get(user=user).role.code == "instructional-coach"
    assert Membership.objects.get(user=user).district == district
    start = client.get(reverse("learning:assessment_start")).content.decode()
    suggested = start.split('id="suggested-heading"')[1].split("</section>")[0]
    assert "ISTE Standards for Educators" in suggested


def test_onboarding_with_an_unknown_join_code_saves_nothing(client, district):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("learning:onboarding"),
        {
            "display_name": "Ana",
            "role": AudienceRole.objects.get(code="teacher").pk,
            "join_code": "WRONG999",
        },
    )
    assert response.status_code == 200
    assert "That join code does not match any district" in response.content.decode()
    assert not LearnerProfile.objects.filter(user=user).exists()
    assert not Membership.objects.exists()


def test_join_page_with_an_unknown_code(client, teacher, district):
    client.force_login(teacher)
    response = client.post(reverse("learning:join"), {"code": "NOTACODE"})
    assert "That join code does not match any district" in response.content.decode()
    assert not Membership.objects.filter(user=teacher).exists()
    response = client.post(reverse("learning:join"), {"code": "river234"}, follow=True)
    assert "You are a member of Riverside Unified." in messages_of(response)


@pytest.fixture
def invitation_link(district, district_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(
            district=district,
            email="ana@riverside.example",
            role="facilitator",
            invited_by=district_admin,
        )
    [message] = mail.outbox
    return "/join/" + message.body.split("/join/")[1].split()[0]


def test_invitation_link_accepted_by_the_invited_person(client, teacher, invitation_link):
    anonymous = client.get(invitation_link)
    assert "Already on Leap with ana@riverside.example?" in anonymous.content.decode()
    assert client.post(invitation_link)["Location"].startswith(reverse("account_login"))
    client.force_login(teacher)
    response = client.post(invitation_link, follow=True)
    assert "You have joined Riverside Unified" in response.content.decode()
    assert Membership.objects.get(user=teacher).role == "facilitator"


def test_expired_invitation_link_says_so_and_changes_nothing(client, teacher, invitation_link):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(teacher)
    response = client.post(invitation_link)
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert not Membership.objects.filter(user=teacher).exists()


def test_made_up_invitation_link_is_refused(client, teacher):
    client.force_login(teacher)
    response = client.get("/join/not-a-real-token/")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


# Self-assessment.


@pytest.fixture
def take(teacher):
    return services.assessment_start(user=teacher, framework=Framework.objects.get(code="ISTE-E"))


def form_data(take, level="1", **extra):
    data = {"target_level": "3", **extra}
    for element in services.assessable_elements(take.framework):
        data[f"level_{element.pk}"] = level
        data[f"note_{element.pk}"] = ""
    return data


def test_a_rating_outside_the_scale_is_refused_with_a_message(client, teacher, take):
    client.force_login(teacher)
    data = form_data(take, level="2")
    first = services.assessable_elements(take.framework).first()
    data[f"level_{first.pk}"] = "7"
    response = client.post(reverse("learning:assessment_edit", args=[take.pk]), data)
    assert response.status_code == 400
    assert "Choose a level from 0 to 3 on the scale shown." in response.content.decode()
    assert not Rating.objects.exists()


def test_save_part_way_then_finish(client, teacher, take):
    client.force_login(teacher)
    url = reverse("learning:assessment_edit", args=[take.pk])
    first = services.assessable_elements(take.framework).first()
    response = client.post(
        url, {"target_level": "3", f"level_{first.pk}": "2", "save": "1"}, follow=True
    )
    assert "Your ratings are saved." in " ".join(messages_of(response))
    # Finishing with elements unrated keeps what was rated and says what is missing.
    response = client.post(
        url,
        {"target_level": "3", f"level_{first.pk}": "1", f"note_{first.pk}": "Hi", "finish": "1"},
        follow=True,
    )
    assert "Rate every element to finish. Still to rate: 2.2 Leader" in " ".join(
        messages_of(response)
    )
    assert Rating.objects.get().level == 1
    response = client.post(url, form_data(take, finish="1"))
    assert response["Location"] == reverse("learning:assessment_detail", args=[take.pk])


def test_results_show_recommendations_with_reasons_and_add_to_plan(
    client, teacher, take, catalogue
):
    services.assessment_save(
        assessment=take,
        ratings={e.pk: (1, "") for e in services.assessable_elements(take.framework)},
        complete=True,
    )
    client.force_login(teacher)
    results = client.get(reverse("learning:assessment_detail", args=[take.pk]))
    html = results.content.decode()
    assert "Using Classroom Data" in html
    assert "Analyst: you rated Emerging" in html
    response = client.post(
        reverse("learning:plan_add"),
        {"page": catalogue.data.pk, "source": "recommended", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("learning:plan")  # no open redirect
    item = PlanItem.objects.get(user=teacher)
    assert (item.source, item.reason) == ("recommended", "Analyst: you rated Emerging")


@pytest.mark.parametrize("page_id", ["", "abc", "999999"])
def test_adding_a_missing_page_to_the_plan_is_404(client, teacher, page_id):
    client.force_login(teacher)
    assert client.post(reverse("learning:plan_add"), {"page": page_id}).status_code == 404


# Pathways.


def test_enrol_and_complete_steps_from_the_pathway_page(client, teacher, catalogue):
    client.force_login(teacher)
    pathway = catalogue.pathway
    response = client.post(reverse("learning:pathway_enrol", args=[pathway.pk]), follow=True)
    html = response.content.decode()
    assert "You are enrolled" in html
    assert "0 of 3 required steps done" in html
    read_step = pathway.steps[0].id
    response = client.post(
        reverse("learning:step_update", args=[pathway.pk, read_step]), {"done": "1"}, follow=True
    )
    assert "1 of 3 required steps done" in response.content.decode()
    dashboard = client.get(reverse("learning:dashboard")).content.decode()
    assert "1 of 3 required steps done" in dashboard
    assert "Continue" in dashboard and "What do you measure?" in dashboard


def test_an_unknown_step_is_refused(client, teacher, catalogue):
    client.force_login(teacher)
    client.post(reverse("learning:pathway_enrol", args=[catalogue.pathway.pk]))
    response = client.post(
        reverse("learning:step_update", args=[catalogue.pathway.pk, "nope"]),
        {"done": "1"},
        follow=True,
    )
    assert "That step is no longer part of this pathway." in messages_of(response)


# Transcript.


def test_transcript_csv_is_the_ledger_and_safe_in_spreadsheets(client, teacher, catalogue):
    services.badge_earned(
        user=teacher,
        micro_credential_id=catalogue.data.pk,
        title="=HYPERLINK(evil)",
        hours=3,
        earned_on=timezone.localdate(),
        key="k1",
    )
    client.force_login(teacher)
    response = client.get(reverse("learning:transcript_csv"))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "school_year,date,activity,kind,hours,verify_url"
    assert "'=HYPERLINK(evil)" in lines[1]
    html = client.get(reverse("learning:transcript")).content.decode()
    assert "3 hours" in html


# District administration: inviting many from a CSV.


def upload(text: str, name="people.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def admin_client(client, district_admin):
    client.force_login(district_admin)
    return client


def test_csv_without_an_email_column_is_refused(admin_client, district):
    response = admin_client.post(
        reverse("learning:district_invite_csv", args=[district.slug]),
        {"file": upload("name,role\nAna,learner\n")},
    )
    assert response.status_code == 400
    assert "The file has no “email” column." in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_csv_with_bad_rows_reports_each_by_line_and_sends_nothing(admin_client, district):
    district.schools.create(name="Oak Street Elementary")
    text = (
        "email,role,school\n"
        "ana@riverside.example,learner,Oak Street Elementary\n"
        "not-an-address,learner,\n"
        "ben@riverside.example,principal,\n"
        "ana@riverside.example,,\n"
        "cy@riverside.example,,Nowhere High\n"
    )
    response = admin_client.post(
        reverse("learning:district_invite_csv", args=[district.slug]), {"file": upload(text)}
    )
    html = response.content.decode()
    assert response.status_code == 400
    for expected in [
        "Nothing was sent.",
        "Line 3: “not-an-address” is not an e-mail address.",
        "Line 4: “principal” is not a role",
        "Line 5: ana@riverside.example appears more than once.",
        "Line 6: Riverside Unified has no school “Nowhere High”.",
    ]:
        assert expected in html
    assert not Invitation.objects.exists()


def test_a_good_csv_invites_everyone(admin_client, district, django_capture_on_commit_callbacks):
    text = "\ufeffEmail,Role\nana@riverside.example,\nben@riverside.example,District admin\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("learning:district_invite_csv", args=[district.slug]),
            {"file": upload(text)},
            follow=True,
        )
    assert "All 2 row(s) are right: the invitations are being sent." in messages_of(response)
    progress = admin_client.get(response.redirect_chain[-1][0]).content.decode()
    assert "2 of 2 rows done (100%)" in progress
    assert "<dt>Invitations sent</dt><dd>2</dd>" in progress
    assert {(i.email, i.role) for i in Invitation.objects.all()} == {
        ("ana@riverside.example", "learner"),
        ("ben@riverside.example", "district_admin"),
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@riverside.example",
        "ben@riverside.example",
    ]


def test_a_file_that_is_not_utf8_text_is_refused(admin_client, district):
    response = admin_client.post(
        reverse("learning:district_invite_csv", args=[district.slug]),
        {"file": SimpleUploadedFile("people.csv", b"\xff\xfe\x00\x81binary")},
    )
    assert "Save the file as CSV in UTF-8" in response.content.decode()


def test_csv_files_get_the_same_answers_as_bulk_awards(admin_client, district):
    from cms.spreadsheets import CSV_MAX_ROWS

    url = reverse("learning:district_invite_csv", args=[district.slug])
    for text, message in [
        ("email;role\nana@riverside.example;learner\n", "not semicolons"),
        ("email,email\nana@riverside.example,x\n", "The column “email” appears twice"),
        ("email,grade\nana@riverside.example,7\n", "unknown column “grade”"),
        ("email,role\n\n,\n", "The file has no rows below the column names."),
        (
            "email\n" + "ana@riverside.example\n" * (CSV_MAX_ROWS + 1),
            f"upload at most {CSV_MAX_ROWS} at a time",
        ),
    ]:
        response = admin_client.post(url, {"file": upload(text)})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_last_admin_cannot_demote_themself(admin_client, district, district_admin):
    membership = Membership.objects.get(user=district_admin)
    response = admin_client.post(
        reverse("learning:district_member", args=[district.slug, membership.pk]),
        {"role": "learner", "is_active": "on"},
    )
    assert response.status_code == 400
    assert "needs at least one active district admin" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "district_admin"


def test_admin_sees_members_with_progress_figures(admin_client, district, teacher, catalogue):
    MembershipFactory(user=teacher, district=district)
    services.enrolment_enrol(user=teacher, pathway=catalogue.pathway)
    services.badge_earned(
        user=teacher,
        micro_credential_id=catalogue.design.pk,
        title="Designing Learning",
        hours=5,
        earned_on=timezone.localdate(),
        key="k",
    )
    response = admin_client.get(reverse("learning:district_home", args=[district.slug]))
    members = {m.user_id: m for m in response.context["members"]}
    ana = members[teacher.pk]
    assert (ana.enrolments, ana.pathways_completed, ana.badges, ana.hours_this_year) == (
        1,
        0,
        1,
        5,
    )


def test_a_csv_with_current_members_invites_the_others(
    admin_client, district, district_admin, django_capture_on_commit_callbacks
):
    text = f"email\n{district_admin.email}\nnew@riverside.example\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("learning:district_invite_csv", args=[district.slug]),
            {"file": upload(text)},
            follow=True,
        )
    progress = admin_client.get(response.redirect_chain[-1][0]).content.decode()
    assert "<dt>Invitations sent</dt><dd>1</dd>" in progress
    assert "<dt>Not invited: already members</dt><dd>1</dd>" in progress
    assert f"{district_admin.email} is already a member: not invited." in progress
    assert [m.to for m in mail.outbox] == [["new@riverside.example"]]
    assert Membership.objects.get(user=district_admin).role == "district_admin"


def test_editors_can_preview_a_new_pathway(client, catalogue):
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    editor = UserFactory(is_superuser=True)
    client.force_login(editor)
    url = reverse(
        "wagtailadmin_pages:preview_on_add", args=["cms", "pathwaypage", catalogue.pathways.pk]
    )
    data = nested_form_data(
        {
            "title": "New pathway",
            "slug": "new-pathway",
            "summary": "Soon.",
            "level": "introductory",
            "estimated_hours": "2",
            "outcomes": streamfield([]),
            "steps": streamfield([]),
            "alignments": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0},
            "prerequisites": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0},
        }
    )
    assert client.post(url, data).json()["is_valid"] is True
    response = client.get(url)
    assert response.status_code == 200
    assert "New pathway" in response.content.decode()


def test_an_invitation_list_run_twice_sends_each_invitation_once(
    admin_client, district, django_capture_on_commit_callbacks
):
    from accounts.batch import batch_run
    from accounts.models import BatchJob

    text = "email\nana@riverside.example\nben@riverside.example\n"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("learning:district_invite_csv", args=[district.slug]), {"file": upload(text)}
        )
    job = BatchJob.objects.get()
    # As if the worker died after its commit but before the message was acknowledged.
    BatchJob.objects.filter(pk=job.pk).update(state="running", processed=0)
    with django_capture_on_commit_callbacks(execute=True):
        batch_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.outcomes == {"sent": 2, "already_sent": 2}
    assert len(mail.outbox) == 2 and Invitation.objects.count() == 2


def test_an_invitation_lists_progress_is_for_its_districts_admins_only(
    client, admin_client, district, django_capture_on_commit_callbacks
):
    response = admin_client.post(
        reverse("learning:district_invite_csv", args=[district.slug]),
        {"file": upload("email\nana@riverside.example\n")},
    )
    url = response.url
    page = admin_client.get(url).content.decode()
    assert "0 of 1 row done (0%)" in page and 'http-equiv="refresh"' in page
    home = admin_client.get(reverse("learning:district_home", args=[district.slug]))
    assert url in home.content.decode()  # listed under "Recent lists"
    other = MembershipFactory(role=Membership.Role.DISTRICT_ADMIN)
    client.force_login(other.user)
    assert client.get(url).status_code == 404
    elsewhere = url.replace(f"/district/{district.slug}/", f"/district/{other.district.slug}/")
    assert client.get(elsewhere).status_code == 404
