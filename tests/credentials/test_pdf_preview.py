"""Reviewers read a learner's PDF as pictures of its first pages, drawn on the server, in
the same private, neutral-named, sandboxed way as photos; a broken PDF says so and stays a
download; nobody else reaches the pages."""

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from credentials.previews import PREVIEW_PAGES, pdf_page_png, pdf_preview
from credentials.requirements import requirements_of
from credentials.services.evidence import (
    artifact_add_file,
    submission_save_answers,
    submission_start,
    submission_submit,
)
from credentials.services.review import pool_member_add
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def pdf_of(pages: int) -> bytes:
    """A real PDF made by Pillow: page n is a 300 × 400 pt page of one colour."""
    images = [Image.new("RGB", (300, 400), (40 * n % 256, 90, 160)) for n in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:])
    return out.getvalue()


def test_pages_are_counted_and_drawn_as_png():
    preview = pdf_preview(pdf_of(7))
    assert preview.page_count == 7 and not preview.problem
    assert list(preview.shown) == [1, 2, 3, 4, 5] and PREVIEW_PAGES == 5
    image = Image.open(io.BytesIO(pdf_page_png(pdf_of(2), 2)))
    assert image.format == "PNG"
    assert image.size == (600, 800)  # twice the page's own size, within the cap


def test_a_broken_pdf_says_so():
    preview = pdf_preview(b"%PDF-1.7\nthis is not really a PDF\n%%EOF\n")
    assert preview.page_count == 0 and list(preview.shown) == []
    assert "could not be shown here" in preview.problem
    assert "Download it to read it." in preview.problem


def locked_pdf() -> bytes:
    """A one-page PDF under the standard security handler with a user password (whose
    check values match no password), written object by object with a correct xref."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = b"<" + b"33" * 16 + b">"
    out += b"trailer\n<< /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [" + file_id + b" " + file_id
    out += b"] >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_a_password_protected_pdf_says_so():
    preview = pdf_preview(locked_pdf())
    assert preview.page_count == 0
    assert preview.problem.startswith("This PDF is protected by a password")


@pytest.fixture
def assigned(learner, micro_credential, django_capture_on_commit_callbacks):
    """A submitted PDF (7 pages) and a broken one, assigned to a reviewer."""
    cache.clear()
    reviewer = UserFactory(email="sam@reviewers.example")
    from credentials.models import ReviewerPool

    pool_member_add(pool=ReviewerPool.objects.create(name="All"), user=reviewer)
    ids = {r.kind: r.id for r in requirements_of(micro_credential)}
    submission = submission_start(learner=learner, page=micro_credential)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: "Hi."})
    good = artifact_add_file(
        submission=submission, slot_id=ids["artifact"], name="Maya plan.pdf", data=pdf_of(7)
    )
    broken = artifact_add_file(
        submission=submission,
        slot_id=ids["artifact"],
        name="Maya scan.pdf",
        data=b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=submission, privacy_confirmed=True)
    return {"review": submission.reviews.get(), "good": good, "broken": broken}


def test_the_reviewer_sees_the_first_pages_with_their_numbers(client, assigned):
    review, good = assigned["review"], assigned["good"]
    client.force_login(review.reviewer)
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    base = reverse("review:artifact", args=[review.pk, good.pk])
    for number in range(1, 6):
        assert f'src="{base}?preview=1&amp;page={number}"' in page
        assert f"Page {number} of 7" in page
    assert "page=6" not in page
    assert "The first 5 of 7 pages are shown here" in page
    assert f'href="{base}"' in page  # the whole file, as a download
    assert "Maya" not in page
    # The broken one says why and stays a download.
    assert "This PDF could not be shown here" in page
    broken_url = reverse("review:artifact", args=[review.pk, assigned["broken"].pk])
    assert f'href="{broken_url}"' in page and f"{broken_url}?preview=1" not in page


def test_a_page_is_a_sandboxed_png_under_a_neutral_name(client, assigned):
    review, good = assigned["review"], assigned["good"]
    client.force_login(review.reviewer)
    base = reverse("review:artifact", args=[review.pk, good.pk])
    shown = client.get(base + "?preview=1&page=2")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(shown.content)).format == "PNG"
    number = review.submission.number
    assert (
        shown["Content-Disposition"] == f'inline; filename="{number}-artifact-{good.pk}-page-2.png"'
    )
    assert shown["Content-Security-Policy"].startswith("sandbox;")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Cache-Control"] == "private, no-store"
    # Only the pages shown, and only real page numbers.
    for bad in ("6", "0", "x", "-1"):
        assert client.get(f"{base}?preview=1&page={bad}").status_code == 404
    assert (
        client.get(
            reverse("review:artifact", args=[review.pk, assigned["broken"].pk])
            + "?preview=1&page=1"
        ).status_code
        == 404
    )
    # Without a page, a PDF stays a download, whatever is asked.
    assert client.get(base + "?preview=1")["Content-Disposition"].startswith("attachment;")


def test_nobody_else_reaches_the_pages(client, assigned, learner):
    review, good = assigned["review"], assigned["good"]
    url = reverse("review:artifact", args=[review.pk, good.pk]) + "?preview=1&page=1"
    for someone in (UserFactory(), learner):
        client.force_login(someone)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page


def test_a_pdf_that_takes_too_long_is_not_drawn(monkeypatch):
    monkeypatch.setattr("credentials.previews.SECONDS", 0.001)
    preview = pdf_preview(pdf_of(1))
    assert preview.problem.startswith("This PDF took too long to draw")
