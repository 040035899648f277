"""What learning holds about a person, for the download and for deleting the account (see
`accounts.data_rights`): districts and profile, self-assessments, plan, pathways, credit,
book clubs."""

from django.db.models import Q

from accounts.data_rights import Section, SectionData
from accounts.errors import LeapError
from accounts.models import User
from learning.cohorts.services import member_leave
from learning.models import (
    Attendance,
    CohortMember,
    CohortMessage,
    CreditEntry,
    Enrolment,
    Invitation,
    LearnerProfile,
    Membership,
    PlanItem,
    Post,
    ReminderSent,
    Rsvp,
    SelfAssessment,
)


def _profile(user: User) -> SectionData:
    profile = LearnerProfile.objects.filter(user=user).select_related("role").first()
    memberships = Membership.objects.filter(user=user).select_related("district", "school")
    invitations = Invitation.objects.filter(accepted_by=user).select_related("district")
    return SectionData(
        records=[
            {
                "role": profile.role.name if profile and profile.role else "",
                "onboarded": profile.onboarded_at if profile else None,
                "districts": [
                    {
                        "district": m.district.name,
                        "role": m.get_role_display(),
                        "school": m.school.name if m.school else "",
                        "active": m.is_active,
                        "joined": m.created_at,
                        "joined_by": m.get_joined_via_display(),
                    }
                    for m in memberships.order_by("created_at")
                ],
                "invitations_accepted": [
                    {"district": i.district.name, "role": i.role, "accepted": i.accepted_at}
                    for i in invitations.order_by("accepted_at")
                ],
            }
        ]
    )


def _self_assessments(user: User) -> SectionData:
    assessments = (
        SelfAssessment.objects.filter(user=user)
        .select_related("framework")
        .prefetch_related("ratings__element")
        .order_by("started_at")
    )
    return SectionData(
        records=[
            {
                "framework": a.framework.name,
                "started": a.started_at,
                "finished": a.completed_at,
                "target_level": a.target_level,
                "ratings": [
                    {
                        "element": f"{r.element.code} {r.element.name}",
                        "level": r.level,
                        "note": r.note,
                    }
                    for r in a.ratings.all()
                ],
            }
            for a in assessments
        ]
    )


def _plan(user: User) -> SectionData:
    items = PlanItem.objects.filter(user=user).select_related("page").order_by("position", "pk")
    return SectionData(
        records=[
            {
                "title": item.page.title,
                "added": item.added_at,
                "how": item.get_source_display(),
                "why": item.reason,
            }
            for item in items
        ]
    )


def _enrolments(user: User) -> SectionData:
    enrolments = Enrolment.objects.filter(user=user).prefetch_related("steps").order_by("pk")
    return SectionData(
        records=[
            {
                "pathway": e.pathway_title,
                "enrolled": e.enrolled_at,
                "completed": e.completed_at,
                "steps": [
                    {"step": s.step_id, "done": s.completed_at, "reflection": s.reflection}
                    for s in e.steps.all()
                ],
            }
            for e in enrolments
        ]
    )


def _credit(user: User) -> SectionData:
    entries = CreditEntry.objects.filter(user=user).order_by("earned_on", "pk")
    return SectionData(
        records=list(
            entries.values(
                "title",
                "source",
                "hours",
                "earned_on",
                "expires_on",
                "url",
                "voided_at",
                "void_reason",
            )
        )
    )


def _book_clubs(user: User) -> SectionData:
    places = CohortMember.objects.filter(user=user).select_related("cohort").order_by("pk")
    posts = Post.objects.filter(author=user).select_related("session__cohort")
    attended = Attendance.objects.filter(user=user).select_related("session__cohort")
    answers = Rsvp.objects.filter(user=user).select_related("session__cohort")
    messages = CohortMessage.objects.filter(author=user).select_related("cohort")
    return SectionData(
        records=[
            {
                "clubs": [
                    {
                        "club": p.cohort.title,
                        "role": p.get_role_display(),
                        "state": p.get_state_display(),
                        "joined": p.joined_at,
                        "completed": p.completed_at,
                        "share_synthesis_as_evidence": p.share_synthesis_as_evidence,
                    }
                    for p in places
                ],
                "posts": [
                    {
                        "club": p.session.cohort.title,
                        "meeting": p.session.title,
                        "written": p.created_at,
                        "synthesis": p.is_synthesis,
                        "text": p.body,
                    }
                    for p in posts.order_by("created_at")
                ],
                "attendance": [
                    {"club": a.session.cohort.title, "meeting": a.session.title, "status": a.status}
                    for a in attended.order_by("session__starts_at")
                ],
                "rsvps": [
                    {"club": r.session.cohort.title, "meeting": r.session.title, "answer": r.answer}
                    for r in answers.order_by("session__starts_at")
                ],
                "messages_sent": [
                    {
                        "club": m.cohort.title,
                        "subject": m.subject,
                        "text": m.body,
                        "sent": m.created_at,
                    }
                    for m in messages.order_by("created_at")
                ],
                "reminders_sent_to_you": list(
                    ReminderSent.objects.filter(user=user)
                    .order_by("sent_at")
                    .values("kind", "sent_at")
                ),
            }
        ]
    )


SECTIONS = [
    Section(
        name="profile",
        about="your role and the districts you belong to",
        models=("learning.LearnerProfile", "learning.Membership", "learning.Invitation"),
        export=_profile,
    ),
    Section(
        name="self-assessments",
        about="each self-assessment, with your rating and note per element",
        models=("learning.SelfAssessment", "learning.Rating"),
        export=_self_assessments,
    ),
    Section(
        name="plan",
        about="your plan of pathways and micro-credentials",
        models=("learning.PlanItem",),
        export=_plan,
    ),
    Section(
        name="enrolments",
        about="pathways you enrolled in, the steps you finished and your reflections",
        models=("learning.Enrolment", "learning.StepProgress"),
        export=_enrolments,
    ),
    Section(
        name="credit",
        about="your professional-development hours, as on your transcript",
        models=("learning.CreditEntry",),
        export=_credit,
    ),
    Section(
        name="book-clubs",
        about="book clubs: your places, posts, attendance, answers and messages",
        models=(
            "learning.CohortMember",
            "learning.Post",
            "learning.Attendance",
            "learning.Rsvp",
            "learning.CohortMessage",
            "learning.ReminderSent",
        ),
        export=_book_clubs,
    ),
]

NOT_EXPORTED = {
    "learning.Cohort": "who set up a book club: the club is its district's; kept, without the "
    "link to the account",
    "learning.InstitutionalAssessment": "a district team's rating of the district itself, "
    "which names who started it and who agreed it: the district's record; kept, without the "
    "link to the account, when it is deleted",
    "learning.SharedReport": "who shared a district report as a read-only link: the link is "
    "its district's (figures only, no names); kept, without the link to the account",
    "learning.ActivityYear": "your badges, PD hours, pathways started and completed and "
    "self-assessments finished, summed per school year for your district's dashboard: worked "
    "out from your credit entries, enrolments and self-assessments, which are exported; "
    "deleted with your account",
}


def erase(*, user: User, revoke_badges: bool) -> list:
    """Refuse if the person is the last active admin of a district; otherwise: their places
    in book clubs are given up (the waiting list moves up), their posts keep their place in
    the discussion without their text, and invitations to or accepted by them go. Everything
    else of theirs here goes with the account."""
    sole = [
        m.district.name
        for m in Membership.objects.filter(
            user=user, role=Membership.Role.DISTRICT_ADMIN, is_active=True, district__is_active=True
        ).select_related("district")
        if not Membership.objects.filter(
            district=m.district, role=Membership.Role.DISTRICT_ADMIN, is_active=True
        )
        .exclude(user=user)
        .exists()
    ]
    if sole:
        raise LeapError(
            f"{user.display_name or user.email} is the only district admin of "
            f"{', '.join(sole)}: make someone else an admin first, then delete the account."
        )
    taking_places = CohortMember.objects.filter(
        user=user, role=CohortMember.Role.MEMBER, state=CohortMember.State.ACTIVE
    )
    for place in taking_places:
        member_leave(place=place)
    Post.objects.filter(author=user).update(body="", edited_at=None)
    Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email)).delete()
    return []
