"""Blind review holds through files: a learner uploads a Word document, a PDF and photos
that carry their name in metadata, comments and tracked changes; every way a reviewer or
lead can reach a file (the scoring screen's downloads and previews, the submission's own
download address, the lead tools, a calibration exemplar) gives bytes that name no one,
while the learner keeps their file as they sent it. Files that could act on a reviewer's
computer are refused at upload with a sentence, and nothing already saved is lost."""

import io
import re
import time

import docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from credentials.models import Artifact, Review, Submission
from credentials.requirements import requirements_of
from credentials.services.calibration import exemplar_mark
from credentials.services.evidence import (
    artifact_add_file,
    submission_save_answers,
    submission_start,
)
from credentials.services.review import pool_member_add, review_record
from tests.credentials.test_pdf_preview import locked_pdf
from tests.evidence_files import (
    macro_docx,
    pdf_file,
    signed_docx,
    signed_jpeg,
    signed_odt,
    signed_pdf,
    signed_png,
    unpacked,
    zip_bomb_docx,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME = "Zelda Quist"
# What would give the learner away: their name (either part), the initials Word keeps with
# a comment, the e-mail address.
SECRETS = [b"Zelda", b"Quist", b"ZQ", b"zelda@school.example"]


@pytest.fixture
def mc(micro_credential):
    """The micro-credential's artifact slot takes PDFs, documents, images and spreadsheets,
    up to six files."""
    slot = micro_credential.requirements[1].value
    slot["file_types"] = ["pdf", "document", "image", "spreadsheet"]
    slot["max_files"] = 6
    micro_credential.save_revision().publish()
    micro_credential.refresh_from_db()
    return micro_credential


@pytest.fixture
def people(db):
    from credentials.models import ReviewerPool

    pool = ReviewerPool.objects.create(name="All micro-credentials")
    reviewer = UserFactory(email="sam@reviewers.example")
    lead = UserFactory(email="lee@reviewers.example")
    pool_member_add(pool=pool, user=reviewer)
    pool_member_add(pool=pool, user=lead, is_lead=True)
    learner = UserFactory(email="zelda@school.example", display_name=NAME)
    return {"pool": pool, "reviewer": reviewer, "lead": lead, "learner": learner}


def ids(mc):
    return {r.kind: r.id for r in requirements_of(mc)}


def upload_and_submit(client, learner, mc, files: dict[str, bytes], execute):
    """The learner's journey through the draft form: start, write, upload, submit."""
    client.force_login(learner)
    client.post(reverse("submissions:start", args=[mc.pk]))
    submission = Submission.objects.get(learner=learner)
    slot = ids(mc)
    with execute(execute=True):
        response = client.post(
            reverse("submissions:detail", args=[submission.pk]),
            {
                f"answer-{slot['overview_question']}": "Exit tickets, every day.",
                f"file-{slot['artifact']}": [
                    SimpleUploadedFile(name, data) for name, data in files.items()
                ],
                "privacy": "on",
                "action": "submit",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    submission.refresh_from_db()
    assert submission.state == Submission.State.IN_REVIEW
    return submission


def fetched(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["X-Content-Type-Options"] == "nosniff"
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_names_no_one(data: bytes, where: str):
    everything = unpacked(data)
    for secret in SECRETS:
        # Initials as a word of their own: random tokens in a page (the CSRF token) may hold
        # the two letters by chance.
        found = (
            re.search(rb"(?<![A-Za-z0-9])" + secret + rb"(?![A-Za-z0-9])", everything)
            if len(secret) <= 3
            else secret in everything
        )
        assert not found, (where, secret)
        # PDFs may write text as UTF-16.
        assert secret.decode().encode("utf-16-be") not in everything, (where, secret)


FILES = {
    "Zelda Quist exit tickets.docx": signed_docx(NAME),
    "Zelda plan.pdf": signed_pdf(NAME),
    "IMG_0042.jpg": signed_jpeg(NAME),
    "chart.png": signed_png(NAME),
    "notes.odt": signed_odt(NAME),
}


def test_no_file_a_reviewer_or_lead_can_reach_names_the_learner(
    client, mc, people, django_capture_on_commit_callbacks
):
    for name, data in FILES.items():
        assert NAME.encode() in unpacked(data), name  # each file really names her
    submission = upload_and_submit(
        client, people["learner"], mc, FILES, django_capture_on_commit_callbacks
    )
    artifacts = {a.original_name: a for a in submission.artifacts.all()}
    assert set(artifacts) == set(FILES)
    review = Review.objects.get(submission=submission)

    # The reviewer: the scoring screen, each download, the photo previews and PDF pages,
    # and the submission's own download address.
    client.force_login(people["reviewer"])
    page = client.get(reverse("review:detail", args=[review.pk]))
    assert page.status_code == 200
    assert_names_no_one(page.content, "the scoring screen")
    for original, artifact in artifacts.items():
        url = reverse("review:artifact", args=[review.pk, artifact.pk])
        assert_names_no_one(fetched(client, url), original)
        assert_names_no_one(fetched(client, f"{url}?preview=1"), f"{original} preview")
        own = reverse("submissions:artifact", args=[submission.pk, artifact.pk])
        assert_names_no_one(fetched(client, own), f"{original} by the submission's address")
    pdf = artifacts["Zelda plan.pdf"]
    pdf_page = reverse("review:artifact", args=[review.pk, pdf.pk]) + "?preview=1&page=1"
    assert fetched(client, pdf_page).startswith(b"\x89PNG")

    # The lead, once it is decided, and a pool member scoring it as a calibration exemplar.
    with django_capture_on_commit_callbacks(execute=True):
        review_record(review=review, scores=dict.fromkeys(review_criteria(review), ("meets", "")))
    client.force_login(people["lead"])
    lead_page = reverse("review_lead:exemplar_mark", args=[people["pool"].pk, submission.pk])
    assert_names_no_one(client.get(lead_page).content, "the lead's view")
    for original, artifact in artifacts.items():
        url = reverse("review_lead:artifact", args=[people["pool"].pk, artifact.pk])
        assert_names_no_one(fetched(client, url), f"{original} for the lead")
    exemplar_mark(
        submission=submission,
        pool=people["pool"],
        reference=dict.fromkeys(review_criteria(review), "meets"),
        marked_by=people["lead"],
    )
    colleague = UserFactory()
    pool_member_add(pool=people["pool"], user=colleague)
    client.force_login(colleague)
    for original, artifact in artifacts.items():
        url = reverse("review_lead:artifact", args=[people["pool"].pk, artifact.pk])
        assert_names_no_one(fetched(client, url), f"{original} as an exemplar")

    # The learner still gets each file as they sent it (photos excepted: Leap keeps no
    # photo's location or camera details for anyone, so theirs is the cleaned photo too).
    client.force_login(people["learner"])
    for original, artifact in artifacts.items():
        mine = fetched(client, reverse("submissions:artifact", args=[submission.pk, artifact.pk]))
        if original.endswith((".jpg", ".png")):
            with Image.open(io.BytesIO(mine)) as image:
                assert not image.getexif() and image.size == (40, 30)
        else:
            assert mine == FILES[original], original


def review_criteria(review):
    return [criterion["id"] for criterion in review.submission.rubric]


def test_the_reviewers_copies_still_open_and_keep_the_work(
    client, mc, people, django_capture_on_commit_callbacks
):
    submission = upload_and_submit(
        client,
        people["learner"],
        mc,
        {"plan.docx": signed_docx(NAME), "plan.pdf": signed_pdf(NAME)},
        django_capture_on_commit_callbacks,
    )
    review = Review.objects.get(submission=submission)
    client.force_login(people["reviewer"])
    copies = {
        a.name: fetched(client, reverse("review:artifact", args=[review.pk, a.pk]))
        for a in submission.artifacts.all()
    }
    # Word: the text, the comment and the tracked change are all there, by "Author".
    document = docx.Document(io.BytesIO(copies["plan.docx"]))
    assert "We used exit tickets every day." in document.paragraphs[0].text
    assert [(c.author, c.initials, c.text) for c in document.comments] == [
        ("Author", "A", "Add the numbers")
    ]
    assert b'w:author="Author"' in unpacked(copies["plan.docx"])
    assert b"Scores rose." in unpacked(copies["plan.docx"])
    assert document.core_properties.author == "" and document.core_properties.title == ""
    # PDF: the page and the note stay; the information and XMP go.
    reader = PdfReader(io.BytesIO(copies["plan.pdf"]))
    assert len(reader.pages) == 1 and reader.metadata is None
    assert "/Metadata" not in reader.trailer["/Root"]
    [note] = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert note["/T"] == "Author" and note["/Contents"] == "Check the second exit ticket"


def test_a_pdf_that_runs_scripts_reaches_reviewers_without_them(
    client, mc, people, django_capture_on_commit_callbacks
):
    scripted = signed_pdf(NAME, scripts=True)
    assert b"/JavaScript" in scripted and b"/OpenAction" in scripted
    submission = upload_and_submit(
        client, people["learner"], mc, {"plan.pdf": scripted}, django_capture_on_commit_callbacks
    )
    artifact = submission.artifacts.get()
    client.force_login(people["reviewer"])
    review = Review.objects.get(submission=submission)
    copy = fetched(client, reverse("review:artifact", args=[review.pk, artifact.pk]))
    for active in (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"app.alert"):
        assert active not in copy, active
    assert len(PdfReader(io.BytesIO(copy)).pages) == 1
    # The learner is told what the reviewers' copy lacks, beside their file.
    client.force_login(people["learner"])
    page = client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    assert "Reviewers get it without its automatic actions and scripts." in page


REFUSALS = [
    (
        "plan.docx",
        lambda: zip_bomb_docx(),
        "“plan.docx” unpacks to far more than its size, the mark of a file made to "
        "overload a computer. Save it again from your office program and upload the new file.",
    ),
    (
        "plan.docm",
        macro_docx,
        "“plan.docm” contains macros or controls that could run on a reviewer&#x27;s "
        "computer. Save it as a document without macros (.docx, .xlsx, .pptx or "
        "OpenDocument) and upload it again.",
    ),
    (
        "plan.docx",
        macro_docx,
        "“plan.docx” contains macros or controls that could run on a reviewer&#x27;s",
    ),
    (
        "scores.csv",
        lambda: b"<html><body><script>alert(document.cookie)</script></body></html>",
        "“scores.csv” cannot be used here: it is a web page or script.",
    ),
    (
        "scores.csv",
        lambda: b"name,score\nAna,3\n<img src=x onerror=alert(1)>,4\n",
        "“scores.csv” cannot be used here: it is a web page or script.",
    ),
    (
        "plan.pdf",
        locked_pdf,
        "“plan.pdf” is protected by a password, so reviewers could not open it. Save a copy "
        "without the password and upload that.",
    ),
    (
        "plan.pdf",
        lambda: b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        "“plan.pdf” seems to be damaged and cannot be read.",
    ),
    (
        "photo.docx",
        lambda: signed_jpeg(NAME),
        "“photo.docx” is named like a Word document but its content is a JPEG image.",
    ),
]


@pytest.mark.parametrize(("name", "make", "message"), REFUSALS)
def test_hostile_files_are_refused_with_a_sentence_and_nothing_is_lost(
    client, mc, people, name, make, message
):
    learner = people["learner"]
    slot = ids(mc)
    submission = submission_start(learner=learner, page=mc)
    submission_save_answers(
        submission=submission, answers={slot["overview_question"]: "Kept from before."}
    )
    kept = artifact_add_file(
        submission=submission, slot_id=slot["artifact"], name="kept.pdf", data=pdf_file()
    )
    client.force_login(learner)
    upload = SimpleUploadedFile(name, make())
    started = time.monotonic()
    response = client.post(
        reverse("submissions:detail", args=[submission.pk]),
        {
            f"answer-{slot['overview_question']}": "Typed just now.",
            f"file-{slot['artifact']}": upload,
            "action": "save",
        },
    )
    assert time.monotonic() - started < 5  # a 2 GB bomb is refused without unpacking it
    assert response.status_code == 400
    assert message in response.content.decode()
    submission.refresh_from_db()
    assert submission.answers[slot["overview_question"]] == "Typed just now."
    assert list(submission.artifacts.all()) == [kept]
    assert Artifact.objects.count() == 1


def test_formulas_in_a_csv_reach_reviewers_as_text(
    client, mc, people, django_capture_on_commit_callbacks
):
    sheet = b'name,score,note\r\nAna,-3,"=HYPERLINK(""http://evil.example"",""x"")"\r\n'
    submission = upload_and_submit(
        client, people["learner"], mc, {"scores.csv": sheet}, django_capture_on_commit_callbacks
    )
    artifact = submission.artifacts.get()
    client.force_login(people["reviewer"])
    review = Review.objects.get(submission=submission)
    copy = fetched(client, reverse("review:artifact", args=[review.pk, artifact.pk]))
    assert copy == b'name,score,note\r\nAna,-3,"\'=HYPERLINK(""http://evil.example"",""x"")"\r\n'
    assert artifact.blind_removed == "formulas"


# Files stored before reviewers' copies were made.


def stored_before(submission, name: str, data: bytes) -> Artifact:
    """An artifact as Leap stored it before this change: the learner's file, no copy."""
    artifact = Artifact(
        submission=submission,
        slot_id=ids(submission.micro_credential)["artifact"],
        original_name=name,
        name=name,
        content_type="application/octet-stream",
        size=len(data),
    )
    artifact.file.save(name, ContentFile(data), save=False)
    artifact.save()
    return artifact


def test_files_stored_before_get_their_copy_from_the_command(
    client, mc, people, django_capture_on_commit_callbacks
):
    submission = upload_and_submit(
        client, people["learner"], mc, {"a.pdf": pdf_file()}, django_capture_on_commit_callbacks
    )
    old_word = stored_before(submission, "Zelda_Quist.docx", signed_docx(NAME))
    with_macros = macro_docx()
    old_macros = stored_before(submission, "tools.docx", with_macros)
    out = io.StringIO()
    call_command("artifacts_blind_copies", stdout=out)
    assert "Reviewers' copies made: 1." in out.getvalue()
    assert f"{submission.number} artifact {old_macros.pk}: “tools.docx” contains macros" in (
        out.getvalue()
    )
    old_word.refresh_from_db()
    with old_word.blind_file.open("rb") as handle:
        assert_names_no_one(handle.read(), "the command's copy")
    # Again: nothing left to do.
    out = io.StringIO()
    call_command("artifacts_blind_copies", stdout=out)
    assert out.getvalue() == "Reviewers' copies made: 0.\n"

    # The reviewer is told the file with macros is withheld, and cannot fetch it.
    review = Review.objects.get(submission=submission)
    client.force_login(people["reviewer"])
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "is withheld: Leap could not make a copy of it" in page
    assert reverse("review:artifact", args=[review.pk, old_macros.pk]) not in page
    assert client.get(reverse("review:artifact", args=[review.pk, old_macros.pk])).status_code == (
        404
    )
    # The learner still has it, and reads why reviewers do not.
    client.force_login(people["learner"])
    mine = reverse("submissions:artifact", args=[submission.pk, old_macros.pk])
    assert fetched(client, mine) == with_macros
    page = client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    assert "Reviewers are not given this file: “tools.docx” contains macros" in page


def test_a_file_stored_before_gets_its_copy_when_a_reviewer_first_opens_it(
    client, mc, people, django_capture_on_commit_callbacks
):
    submission = upload_and_submit(
        client, people["learner"], mc, {"a.pdf": pdf_file()}, django_capture_on_commit_callbacks
    )
    old = stored_before(submission, "Zelda_Quist.jpg", signed_jpeg(NAME))
    review = Review.objects.get(submission=submission)
    client.force_login(people["reviewer"])
    copy = fetched(client, reverse("review:artifact", args=[review.pk, old.pk]))
    assert_names_no_one(copy, "the copy made on first use")
    old.refresh_from_db()
    assert old.blind_file and old.blind_size == len(copy)


def test_the_scoring_screen_costs_the_same_queries_with_one_file_or_six(
    client, mc, people, django_capture_on_commit_callbacks
):
    def queries_with(files: int) -> int:
        Submission.objects.all().delete()
        photos = {f"photo{n}.jpg": signed_jpeg(NAME) for n in range(files)}
        submission = upload_and_submit(
            client, people["learner"], mc, photos, django_capture_on_commit_callbacks
        )
        review = Review.objects.get(submission=submission)
        client.force_login(people["reviewer"])
        url = reverse("review:detail", args=[review.pk])
        client.get(url)  # the first visit may make copies of files stored before
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_with(1) == queries_with(6)
