"""Taking part in a cohort's sessions: the discussion, RSVPs, attendance, check-in and the
roster. Every view with an object id goes through learning.cohorts.permissions, so anyone
outside the cohort gets a 404; running the cohort (attendance, the code, hiding posts, the
roster) is for its facilitators and its district's admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.errors import LeapError
from accounts.throttle import CODE_WAIT, throttle_blocked, throttle_failure, too_many_requests
from learning.cohorts import attendance as attendance_services
from learning.cohorts import discussion
from learning.cohorts import participation_selectors as selectors
from learning.cohorts import selectors as cohort_selectors
from learning.cohorts.forms_participation import (
    AttendanceForm,
    CheckinForm,
    EditForm,
    HideForm,
    PostForm,
    ReplyForm,
)
from learning.cohorts.permissions import (
    can_run,
    cohort_for_facilitator,
    cohort_for_participant,
)
from learning.cohorts.views_common import action_report, form_status, form_submit
from learning.models import Attendance, CohortMember, Rsvp


def _discussion_url(session) -> str:
    return reverse("cohort_participation:discussion", args=[session.cohort_id, session.pk])


def _post_url(post) -> str:
    return f"{_discussion_url(post.session)}#post-{post.pk}"


def _is_member(user, cohort) -> bool:
    return CohortMember.objects.filter(
        cohort=cohort, user=user, state__in=selectors.TAKING_PART
    ).exists()


# ---- Discussion ----


def _render_discussion(request, cohort, session, *, post_form=None, reply=None, status=200):
    """The discussion page. `reply` is (post id, bound form) when a reply came back with a
    problem: that thread's box opens with the text as typed."""
    runs = can_run(request.user, cohort)
    threads = list(selectors.thread_list(session=session))
    reply_forms = {}
    for thread in threads:
        for post in (thread, *thread.reply_list):
            post.editable_until = discussion.post_editable_until(post)
        if reply and reply[0] == thread.pk:
            reply_forms[thread.pk] = reply[1]
        else:
            reply_forms[thread.pk] = ReplyForm(post_id=thread.pk)
        thread.reply_form = reply_forms[thread.pk]
        thread.reply_open = bool(reply and reply[0] == thread.pk)
    context = {
        "cohort": cohort,
        "session": session,
        "sessions": cohort_selectors.session_list(cohort=cohort),
        "threads": threads,
        "post_form": post_form or PostForm(),
        "runs": runs,
        "is_member": _is_member(request.user, cohort),
        "my_rsvp": selectors.rsvp_get(session=session, user=request.user),
        "rsvp_counts": selectors.rsvp_counts(session=session),
        "now": timezone.now(),
        "edit_window": discussion.EDIT_WINDOW,
        "checkin_open": attendance_services.checkin_is_open(session),
    }
    return render(request, "learning/cohorts/discussion.html", context, status=status)


@login_required
def discussion_page(request, cohort_id: int, session_id: int):
    cohort = cohort_for_participant(request.user, cohort_id)
    session = selectors.session_get(cohort=cohort, session_id=session_id)
    form = PostForm(request.POST) if request.method == "POST" else PostForm()
    posted = form_submit(
        request,
        form,
        lambda data: discussion.post_create(
            session=session,
            author=request.user,
            body=data["body"],
            is_synthesis=data["is_synthesis"],
            share_as_evidence=bool(cohort.completion_badge_id and data["share_as_evidence"]),
        ),
        done="Your post is up.",
        then=_post_url,
    )
    return posted or _render_discussion(
        request, cohort, session, post_form=form, status=form_status(request)
    )


@login_required
@require_POST
def post_reply(request, cohort_id: int, post_id: int):
    cohort = cohort_for_participant(request.user, cohort_id)
    parent = selectors.post_get(cohort=cohort, post_id=post_id)
    root_id = parent.parent_id or parent.pk
    form = ReplyForm(request.POST, post_id=root_id)
    posted = form_submit(
        request,
        form,
        lambda data: discussion.post_reply(parent=parent, author=request.user, body=data["body"]),
        done="Your reply is up.",
        then=_post_url,
    )
    return posted or _render_discussion(
        request, cohort, parent.session, reply=(root_id, form), status=400
    )


@login_required
def post_edit(request, cohort_id: int, post_id: int):
    cohort = cohort_for_participant(request.user, cohort_id)
    post = selectors.post_get(cohort=cohort, post_id=post_id)
    if post.author_id != request.user.pk:
        raise Http404("No such post of yours.")
    form = EditForm(request.POST or None, initial={"body": post.body})
    changed = form_submit(
        request,
        form,
        lambda data: discussion.post_edit(post=post, editor=request.user, body=data["body"]),
        done="Your post is changed.",
        then=_post_url(post),
    )
    if changed:
        return changed
    context = {
        "cohort": cohort,
        "session": post.session,
        "post": post,
        "form": form,
        "editable_until": discussion.post_editable_until(post),
    }
    return render(
        request, "learning/cohorts/discussion_edit.html", context, status=form_status(request)
    )


@login_required
def post_hide(request, cohort_id: int, post_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    post = selectors.post_get(cohort=cohort, post_id=post_id)
    form = HideForm(request.POST or None)
    hidden = form_submit(
        request,
        form,
        lambda data: discussion.post_hide(post=post, by=request.user, reason=data["reason"]),
        done="The post is hidden; the reason shows in its place.",
        then=_post_url(post),
    )
    if hidden:
        return hidden
    context = {"cohort": cohort, "session": post.session, "post": post, "form": form}
    return render(
        request, "learning/cohorts/discussion_hide.html", context, status=form_status(request)
    )


@login_required
@require_POST
def post_unhide(request, cohort_id: int, post_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    post = selectors.post_get(cohort=cohort, post_id=post_id)
    action_report(
        request,
        lambda: discussion.post_unhide(post=post, by=request.user),
        done="The post shows again.",
    )
    return redirect(_post_url(post))


# ---- RSVP ----


@login_required
@require_POST
def rsvp(request, cohort_id: int, session_id: int):
    cohort = cohort_for_participant(request.user, cohort_id)
    session = selectors.session_get(cohort=cohort, session_id=session_id)
    action_report(
        request,
        lambda: attendance_services.rsvp_set(
            session=session, user=request.user, answer=request.POST.get("answer", "")
        ),
        done=lambda rsvp: (
            f"Thanks: you are "
            f"{'going' if rsvp.answer == Rsvp.Answer.GOING else 'not going'} to “{session.title}”."
        ),
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = _discussion_url(session)
    return redirect(next_url)


@never_cache
def rsvp_confirm(request, token: str):
    """The page a one-click e-mail link opens. GET only shows what will be recorded (mail
    scanners open links); the button POSTs. No log-in needed: the token says who."""
    try:
        asked = attendance_services.rsvp_token_read(token)
    except LeapError as error:
        return render(
            request, "learning/cohorts/rsvp_confirm.html", {"problem": error.message}, status=400
        )
    done = False
    if request.method == "POST":
        try:
            attendance_services.rsvp_set(
                session=asked.session, user=asked.user, answer=asked.answer
            )
        except LeapError as error:
            return render(
                request,
                "learning/cohorts/rsvp_confirm.html",
                {"problem": error.message},
                status=400,
            )
        done = True
    context = {
        "asked": asked,
        "session": asked.session,
        "cohort": asked.session.cohort,
        "done": done,
        "signed_in_as_other": request.user.is_authenticated and request.user.pk != asked.user.pk,
    }
    return render(request, "learning/cohorts/rsvp_confirm.html", context)


# ---- Attendance ----


@login_required
def attendance_page(request, cohort_id: int, session_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    session = selectors.session_get(cohort=cohort, session_id=session_id)
    members = list(selectors.member_list(cohort=cohort))
    current = selectors.attendance_by_user(session=session)
    form = AttendanceForm(request.POST or None, members=members, current=current)

    def record(_data):
        records = attendance_services.attendance_record(
            session=session, by=request.user, statuses=form.statuses()
        )
        for one in records:
            if one.credited_without_attendance:
                messages.warning(request, _credit_kept(one, members))
        return records

    saved = form_submit(
        request,
        form,
        record,
        done=lambda records: f"Attendance saved for {len(records)} of {len(members)}.",
        then=reverse("cohort_participation:attendance", args=[cohort.pk, session.pk]),
    )
    if saved:
        return saved
    rsvps = {r.user_id: r for r in Rsvp.objects.filter(session=session)}
    rows = [
        (member, record, field, rsvps.get(member.user_id))
        for member, record, field in form.bound_rows()
    ]
    context = {
        "cohort": cohort,
        "session": session,
        "form": form,
        "rows": rows,
        "checkin_open": attendance_services.checkin_is_open(session),
    }
    return render(request, "learning/cohorts/attendance.html", context, status=form_status(request))


def _credit_kept(record: Attendance, members: list[CohortMember]) -> str:
    user = next(m.user for m in members if m.user_id == record.user_id)
    return (
        f"{user.display_name or user.email} was credited with this meeting's hours when "
        "marked present or late. Credit once given is not taken back, so the hours stay on "
        "their transcript."
    )


@login_required
def checkin_page(request, cohort_id: int, session_id: int):
    cohort = cohort_for_participant(request.user, cohort_id)
    session = selectors.session_get(cohort=cohort, session_id=session_id)
    form = CheckinForm(request.POST or None)
    if request.method == "POST" and (wait := throttle_blocked(request, "check-in-code")):
        return too_many_requests(request, wait, CODE_WAIT)
    checked_in = form_submit(
        request,
        form,
        lambda data: attendance_services.checkin_submit(
            session=session, user=request.user, code=data["code"]
        ),
        done="",  # the page itself says "You are checked in"
        then=reverse("cohort_participation:checkin", args=[cohort.pk, session.pk]),
    )
    if checked_in:
        return checked_in
    if request.method == "POST" and form.errors:  # a stale or wrong code counts
        throttle_failure(request, "check-in-code")
    opens, closes = attendance_services.checkin_window(session)
    context = {
        "cohort": cohort,
        "session": session,
        "form": form,
        "record": Attendance.objects.filter(session=session, user=request.user).first(),
        "is_open": attendance_services.checkin_is_open(session),
        "opens": opens,
        "closes": closes,
        "now": timezone.now(),
        "runs": can_run(request.user, cohort),
    }
    return render(request, "learning/cohorts/checkin.html", context, status=form_status(request))


def _code_state(session) -> dict:
    now = timezone.now()
    is_open = attendance_services.checkin_is_open(session, now)
    return {
        "is_open": is_open,
        "code": attendance_services.checkin_code(session=session, at=now) if is_open else "",
        "seconds_left": attendance_services.checkin_code_seconds_left(now),
        "checked_in": Attendance.objects.filter(
            session=session, via=Attendance.Via.CHECK_IN
        ).count(),
    }


@never_cache
@login_required
def checkin_code_page(request, cohort_id: int, session_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    session = selectors.session_get(cohort=cohort, session_id=session_id)
    opens, closes = attendance_services.checkin_window(session)
    context = {
        "cohort": cohort,
        "session": session,
        "opens": opens,
        "closes": closes,
        "now": timezone.now(),
        "member_count": selectors.member_list(cohort=cohort).count(),
        **_code_state(session),
    }
    return render(request, "learning/cohorts/checkin_code.html", context)


@never_cache
@login_required
def checkin_code_json(request, cohort_id: int, session_id: int):
    """What the code page refreshes itself with, every few seconds."""
    cohort = cohort_for_facilitator(request.user, cohort_id)
    session = selectors.session_get(cohort=cohort, session_id=session_id)
    return JsonResponse(_code_state(session))


# ---- Roster ----


@login_required
def roster_page(request, cohort_id: int):
    cohort = cohort_for_facilitator(request.user, cohort_id)
    roster = selectors.roster_get(cohort=cohort)
    rows = [(row, roster.attendance_percent(row)) for row in roster.rows]
    context = {"cohort": cohort, "roster": roster, "rows": rows}
    return render(request, "learning/cohorts/roster.html", context)
