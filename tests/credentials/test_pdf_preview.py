"""Reviewers read a learner's PDF as pictures of its first pages, drawn on the server, in
the same private, neutral-named, sandboxed way as photos; a broken PDF says so and stays a
download; nobody else reaches the pages."""

import io
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from PIL import Image

from credentials.previews import (
    PREVIEW_PAGES,
    RENDERER,
    pdf_draw_bytes,
    pdf_page_png,
    pdf_preview,
)
from credentials.requirements import requirements_of
from credentials.services.evidence import (
    artifact_add_file,
    submission_save_answers,
    submission_start,
    submission_submit,
)
from credentials.services.review import pool_member_add
from credentials.views import files
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
        submission=submission, slot_id=ids["artifact"], name="Maya scan.pdf", data=pdf_of(1)
    )
    # Pages are drawn from the reviewers' copy. A PDF that pypdf rewrites but PDFium cannot
    # draw is rare and hard to make, so damaged bytes stand in for that copy here.
    with open(broken.blind_file.path, "wb") as damaged:
        damaged.write(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
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
    assert {"private", "no-store"} <= {part.strip() for part in shown["Cache-Control"].split(",")}
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


def write_renderer(tmp_path, body: str) -> str:
    script = tmp_path / "renderer.py"
    script.write_text(body)
    return str(script)


def test_a_pdf_that_takes_too_long_is_stopped_and_not_remembered(
    client, assigned, monkeypatch, tmp_path
):
    """A drawing that runs past the time limit is stopped (the process really runs and is
    killed), says so, and is not kept: the next visit tries again and draws the pages."""
    review, good = assigned["review"], assigned["good"]
    client.force_login(review.reviewer)
    monkeypatch.setattr(
        "credentials.previews.RENDERER", write_renderer(tmp_path, "import time\ntime.sleep(60)\n")
    )
    monkeypatch.setattr("credentials.previews.SECONDS", 1)
    started = time.monotonic()
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert time.monotonic() - started < 20  # both PDFs stopped at 1 s, not 60
    assert "This PDF took too long to draw" in page
    assert cache.get(f"leap:pdf-preview:blind:{good.pk}") is None
    base = reverse("review:artifact", args=[review.pk, good.pk])
    not_yet = client.get(base + "?preview=1&page=1")
    assert not_yet.status_code == 503 and not_yet["Retry-After"]
    monkeypatch.undo()
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "Page 5 of 7" in page and "too long" not in page


def test_the_drawing_sees_no_secrets(monkeypatch, tmp_path):
    """The process that reads a hostile file gets PATH and a locale, nothing of the site's."""
    monkeypatch.setenv("SECRET_KEY", "not-for-the-renderer")
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/leap")
    script = write_renderer(
        tmp_path,
        "import os, sys\n"
        "leaked = set(os.environ) - {'PATH', 'LC_ALL', 'LC_CTYPE'}\n"
        "sys.stdout.write('0\\n' if not leaked else '')\n"
        "sys.exit(4 if leaked else 0)\n",
    )
    monkeypatch.setattr("credentials.previews.RENDERER", script)
    drawn = pdf_draw_bytes(pdf_of(1))
    assert drawn.page_count == 0 and drawn.pages == []


def test_the_renderer_limits_its_time_memory_and_file_writes(tmp_path):
    """pdf_render.limit(), as the renderer calls it first: processor time, address space,
    and no file may be written at all."""
    target = tmp_path / "written.bin"
    code = (
        "import resource, sys\n"
        f"sys.path.insert(0, {str(RENDERER.parent)!r})\n"
        "import pdf_render\n"
        "pdf_render.limit()\n"
        "print(resource.getrlimit(resource.RLIMIT_CPU), resource.getrlimit(resource.RLIMIT_AS),"
        " resource.getrlimit(resource.RLIMIT_FSIZE))\n"
        "try:\n"
        f"    with open({str(target)!r}, 'wb') as out:\n"
        "        out.write(b'x' * 10)\n"
        "    print('written')\n"
        "except OSError:\n"
        "    print('refused')\n"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    gib = 1024 * 1024 * 1024
    assert done.stdout.splitlines() == [f"(10, 11) ({gib}, {gib}) (0, 0)", "refused"]
    assert not target.exists() or target.stat().st_size == 0


def test_all_pages_are_drawn_by_one_process_and_then_read_from_the_cache(
    client, assigned, monkeypatch
):
    review, good = assigned["review"], assigned["good"]
    client.force_login(review.reviewer)
    calls = []
    real = files.pdf_draw

    def counted(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(files, "pdf_draw", counted)
    client.get(reverse("review:detail", args=[review.pk]))
    assert len(calls) == 2  # the good PDF and the broken one, once each
    base = reverse("review:artifact", args=[review.pk, good.pk])
    for number in range(1, 6):
        assert client.get(f"{base}?preview=1&page={number}").status_code == 200
    client.get(reverse("review:detail", args=[review.pk]))
    assert len(calls) == 2  # pages, the count and the damage verdict all kept
    # The stored reviewers' copy is given by its path: no copy held in the web process.
    assert calls[0] == good.blind_file.path
    # A page the cache lost is drawn again, with its neighbours, by one more process.
    cache.delete(f"leap:pdf-page:blind:{good.pk}:3")
    assert client.get(f"{base}?preview=1&page=3").status_code == 200
    assert len(calls) == 3


def test_when_every_drawing_place_is_taken_the_page_says_the_preview_is_coming(client, assigned):
    review, good = assigned["review"], assigned["good"]
    client.force_login(review.reviewer)
    for slot in range(files.RENDER_SLOTS):
        cache.add(f"leap:pdf-render-slot:{slot}", "someone else", 60)
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "The preview of this PDF is being prepared. Reload the page in a moment" in page
    assert cache.get(f"leap:pdf-preview:blind:{good.pk}") is None
    base = reverse("review:artifact", args=[review.pk, good.pk])
    assert client.get(base + "?preview=1&page=1").status_code == 503
    cache.delete("leap:pdf-render-slot:0")
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "Page 1 of 7" in page and "being prepared" not in page


def test_what_holds_for_the_file_is_kept_and_a_missing_file_is_not(client, assigned):
    review, good, broken = assigned["review"], assigned["good"], assigned["broken"]
    client.force_login(review.reviewer)
    client.get(reverse("review:detail", args=[review.pk]))
    assert cache.get(f"leap:pdf-preview:blind:{good.pk}").page_count == 7
    assert cache.get(f"leap:pdf-preview:blind:{broken.pk}").problem.startswith(
        "This PDF could not be shown here"
    )
    cache.clear()
    stored = open(good.blind_file.path, "rb").read()  # noqa: SIM115
    good.blind_file.storage.delete(good.blind_file.name)
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "This file could not be found just now" in page
    assert cache.get(f"leap:pdf-preview:blind:{good.pk}") is None
    with open(good.blind_file.path, "wb") as back:
        back.write(stored)
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "Page 1 of 7" in page


def test_a_storage_without_local_paths_gets_a_streamed_copy(client, assigned, monkeypatch):
    review, good = assigned["review"], assigned["good"]
    client.force_login(review.reviewer)

    def no_path(field_file):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    # As object storage answers: files can be opened and read, but have no path on disk.
    monkeypatch.setattr(FieldFile, "path", property(no_path))
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "Page 5 of 7" in page
    png = client.get(reverse("review:artifact", args=[review.pk, good.pk]) + "?preview=1&page=5")
    assert Image.open(io.BytesIO(png.content)).format == "PNG"


@pytest.mark.parametrize(
    ("how", "problem"),
    [
        ("signal.SIGXCPU", "This PDF took too long to draw"),  # its processor limit
        ("signal.SIGSEGV", "This PDF could not be shown here"),  # a crash in PDFium
    ],
)
def test_a_drawing_stopped_by_a_signal_is_not_remembered(monkeypatch, tmp_path, how, problem):
    script = write_renderer(tmp_path, f"import os, signal\nos.kill(os.getpid(), {how})\n")
    monkeypatch.setattr("credentials.previews.RENDERER", script)
    preview = pdf_preview(pdf_of(1))
    assert preview.problem.startswith(problem)
    assert not preview.lasting and preview.page_count == 0


def test_a_password_or_damage_is_lasting():
    assert pdf_preview(locked_pdf()).lasting
    assert pdf_preview(b"%PDF-1.7\nnot a PDF\n%%EOF\n").lasting
