"""A draft open in two tabs: each save says which revision of the answers it was typed on,
and one typed on an older revision never overwrites newer text. The learner is warned,
keeps their text, and replaces the other version only by saving again."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credentials.models import Submission
from credentials.requirements import requirements_of
from credentials.services.evidence import (
    DraftConflict,
    Upload,
    submission_draft_update,
    submission_save_answers,
    submission_start,
)
from tests.evidence_files import pdf_file
from tests.throttling import limit

pytestmark = pytest.mark.django_db

PDF = pdf_file()


@pytest.fixture
def draft(learner, micro_credential):
    return submission_start(learner=learner, page=micro_credential)


@pytest.fixture
def answer_id(micro_credential):
    return next(r.id for r in requirements_of(micro_credential) if r.takes_text)


def saved_answer(submission, answer_id):
    return Submission.objects.get(pk=submission.pk).answers.get(answer_id)


def test_each_change_of_the_answers_moves_the_revision_on(draft, answer_id):
    assert draft.revision == 0
    first = submission_save_answers(submission=draft, answers={answer_id: "One."}, revision=0)
    assert first.revision == 1
    # The same text again is no change: no new revision, and no conflict even if stale.
    same = submission_save_answers(submission=draft, answers={answer_id: "One."}, revision=0)
    assert same.revision == 1


def test_a_stale_save_never_overwrites_newer_text(draft, answer_id):
    # Both tabs opened the draft at revision 0; tab B saves first.
    submission_save_answers(submission=draft, answers={answer_id: "Tab B's text."}, revision=0)
    with pytest.raises(DraftConflict) as raised:
        submission_save_answers(submission=draft, answers={answer_id: "Tab A's text."}, revision=0)
    conflict = raised.value
    assert conflict.revision == 1
    assert re.search(r"changed in another tab or window at \d\d:\d\d", conflict.message)
    assert saved_answer(draft, answer_id) == "Tab B's text."
    # Saving again on the revision the warning gave replaces the other version.
    submission_save_answers(
        submission=draft, answers={answer_id: "Tab A's text."}, revision=conflict.revision
    )
    assert saved_answer(draft, answer_id) == "Tab A's text."
    # And now tab B is the stale one.
    with pytest.raises(DraftConflict):
        submission_save_answers(submission=draft, answers={answer_id: "B again."}, revision=1)
    assert saved_answer(draft, answer_id) == "Tab A's text."


def test_files_sent_with_a_stale_save_are_kept(draft, answer_id, micro_credential):
    """A conflict refuses the text only: the file sent with it is added, never lost."""
    slot = next(r.id for r in requirements_of(micro_credential) if r.kind == "artifact")
    submission_save_answers(submission=draft, answers={answer_id: "Newer."}, revision=0)
    with pytest.raises(DraftConflict):
        submission_draft_update(
            submission=draft,
            answers={answer_id: "Older."},
            revision=0,
            uploads=[Upload(slot_id=slot, name="plan.pdf", size=len(PDF), read=lambda: PDF)],
        )
    assert draft.artifacts.get().original_name == "plan.pdf"
    assert saved_answer(draft, answer_id) == "Newer."


def test_autosave_from_a_stale_tab_answers_409_and_changes_nothing(
    client, learner, draft, answer_id
):
    client.force_login(learner)
    url = reverse("submissions:detail", args=[draft.pk])
    field = f"answer-{answer_id}"
    tab_b = client.post(url, {"action": "autosave", "revision": "0", field: "From tab B."})
    assert tab_b.json() == {"saved": True, "problems": [], "revision": 1}

    tab_a = client.post(url, {"action": "autosave", "revision": "0", field: "From tab A."})
    assert tab_a.status_code == 409
    body = tab_a.json()
    assert body["conflict"] is True and body["saved"] is False and body["revision"] == 1
    assert "changed in another tab or window" in body["problems"][0]
    assert saved_answer(draft, answer_id) == "From tab B."

    # The learner chooses to keep their version: the save on revision 1 wins.
    again = client.post(url, {"action": "autosave", "revision": "1", field: "From tab A."})
    assert again.json()["revision"] == 2
    assert saved_answer(draft, answer_id) == "From tab A."


def test_a_stale_full_save_shows_the_warning_and_keeps_the_typed_text(
    client, learner, draft, answer_id
):
    client.force_login(learner)
    url = reverse("submissions:detail", args=[draft.pk])
    field = f"answer-{answer_id}"
    slot = next(r.id for r in requirements_of(draft.micro_credential) if r.kind == "artifact")
    client.post(url, {"action": "autosave", "revision": "0", field: "From tab B."})

    refused = client.post(
        url,
        {
            "action": "submit",
            "revision": "0",
            field: "From tab A, typed at length.",
            "privacy": "on",
            f"file-{slot}": SimpleUploadedFile("plan.pdf", PDF),
        },
    )
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "This draft was changed in another tab or window at" in page
    assert "Your text here is kept; save again to replace the other version" in page
    assert "From tab A, typed at length." in page and "From tab B." not in page
    # The page carries the server's revision, so sending it again is the knowing choice.
    assert 'name="revision" value="1"' in page
    assert 'data-server-has-text="false"' in page
    draft.refresh_from_db()
    assert draft.state == "draft"  # not submitted on a conflict
    assert draft.answers[answer_id] == "From tab B."
    assert draft.artifacts.count() == 1  # the file sent with it is kept

    sent = client.post(
        url,
        {
            "action": "submit",
            "revision": "1",
            field: "From tab A, typed at length.",
            "privacy": "on",
        },
    )
    assert sent.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "submitted"
    assert draft.answers[answer_id] == "From tab A, typed at length."


def test_the_form_tells_the_script_whose_draft_it_is_and_where_to_sign_in(client, learner, draft):
    client.force_login(learner)
    url = reverse("submissions:detail", args=[draft.pk])
    page = client.get(url).content.decode()
    assert f'data-draft-key="{learner.pk}:submission:{draft.pk}"' in page
    assert 'data-server-has-text="true"' in page
    assert f'data-login-url="/accounts/login/?next=/my/submissions/{draft.pk}/"' in page
    assert 'name="revision" value="0"' in page
    # The page says whose it is and where log-out is: the script clears copies kept on
    # the device at log-out and keeps no one else's.
    assert f'data-user="{learner.pk}"' in page
    assert 'data-logout-url="/accounts/logout/"' in page
    client.logout()
    assert 'data-user=""' in client.get("/accounts/login/").content.decode()


def test_autosave_too_often_answers_429_and_the_draft_keeps_its_text(
    client, settings, draft, answer_id, learner
):
    limit(settings, "autosave", {"user": (2, 300)}, person=learner)
    client.force_login(learner)
    url = reverse("submissions:detail", args=[draft.pk])
    field = f"answer-{answer_id}"
    for revision, text in enumerate(("One.", "Two.")):
        saved = client.post(
            url,
            {"action": "autosave", "revision": str(revision), field: text},
            HTTP_ACCEPT="application/json",
        )
        assert saved.json()["saved"] is True
    refused = client.post(
        url,
        {"action": "autosave", "revision": "2", field: "Three."},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 429
    assert "Saving paused for a moment" in refused.json()["problems"][0]
    assert saved_answer(draft, answer_id) == "Two."
