"""Staff screens: the issued-badge listing and export, revoking, bulk award from CSV."""

import io

import pytest
from django.contrib.auth.models import Permission

from credentials.models import Assertion
from credentials.services.badges import assertion_award
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, email="registrar@district.example"))
    return client


def csv_file(text: str, name: str = "awards.csv") -> io.BytesIO:
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


def test_the_listing_shows_and_exports_issued_badges(admin_client, badge_class, learner):
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    listing = admin_client.get("/admin/issued_badges/").content.decode()
    assert "maya@school.example" in listing and "Data-Driven Instruction" in listing
    assert f"/admin/issued_badges/revoke/{assertion.uuid}/" in listing
    assert "/admin/issued_badges/new/" not in listing  # issuing goes through services only
    export = admin_client.get("/admin/issued_badges/?export=csv")
    body = b"".join(export.streaming_content).decode()
    assert "maya@school.example" in body and str(assertion.uuid) in body


def test_the_export_is_read_as_it_is_written_a_chunk_at_a_time(
    admin_client, badge_class, monkeypatch
):
    """A download of a million badges must not hold them all: rows come from the database
    a chunk at a time, newest first, in CSV and in Excel."""
    from django.db.models.query import QuerySet
    from openpyxl import load_workbook

    from credentials.wagtail_hooks import Streamed
    from tests.factories import UserFactory

    people = [UserFactory() for _ in range(5)]
    for person in people:
        assertion_award(recipient=person, badge_class=badge_class, notify=False)
    monkeypatch.setattr(Streamed, "EXPORT_CHUNK", 2)
    chunks = []
    real = QuerySet.iterator

    def iterator(self, chunk_size=None):
        chunks.append(chunk_size)
        return real(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", iterator)
    response = admin_client.get("/admin/issued_badges/?export=csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 1 + len(people)
    assert [line.split(",")[3] for line in lines[1:]] == [p.email for p in reversed(people)]

    workbook = admin_client.get("/admin/issued_badges/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active.values)
    assert len(rows) == 1 + len(people)
    assert chunks == [2, 2]


def test_generic_add_edit_and_delete_are_closed(admin_client, badge_class, learner):
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    assert admin_client.get("/admin/issued_badges/new/").status_code in (302, 403)
    assert admin_client.get(f"/admin/issued_badges/edit/{assertion.pk}/").status_code in (302, 403)
    response = admin_client.post(f"/admin/issued_badges/delete/{assertion.pk}/")
    assert response.status_code in (302, 403)
    assert Assertion.objects.filter(pk=assertion.pk).exists()


def test_revoking_needs_a_reason_then_revokes(admin_client, badge_class, learner):
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    url = f"/admin/issued_badges/revoke/{assertion.uuid}/"
    assert admin_client.post(url, {"reason": "  "}).status_code == 200
    assert not Assertion.objects.get(pk=assertion.pk).revoked
    assert admin_client.post(url, {"reason": "Evidence was copied."}).status_code == 302
    revoked = Assertion.objects.get(pk=assertion.pk)
    assert revoked.revoked and revoked.revocation_reason == "Evidence was copied."
    assert revoked.revoked_by.email == "registrar@district.example"


def test_staff_without_the_permission_cannot_revoke_or_award(client, badge_class, learner):
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.post(f"/admin/issued_badges/revoke/{assertion.uuid}/", {"reason": "x"})
    assert response.status_code in (302, 403)
    assert not Assertion.objects.get(pk=assertion.pk).revoked
    assert client.get("/admin/issued_badges/award-from-csv/").status_code in (302, 403)


def test_bulk_award_checks_every_row_and_awards_nothing_until_all_are_right(
    admin_client, micro_credential, django_capture_on_commit_callbacks
):
    UserFactory(email="ana@school.example")
    UserFactory(email="sam@school.example")
    slug = micro_credential.slug
    bad = (
        "email,badge,narrative,evidence_url\n"
        f"ana@school.example,{slug},Met every criterion,https://example.org/ana\n"
        f"nobody@school.example,{slug},,\n"
        "sam@school.example,no-such-badge,,\n"
        f"not-an-email,{slug},,ftp://x\n"
        f"ana@school.example,{slug},,\n"
    )
    response = admin_client.post("/admin/issued_badges/award-from-csv/", {"file": csv_file(bad)})
    html = response.content.decode()
    assert "Nothing was awarded" in html
    assert "Line 3: no Leap account uses nobody@school.example." in html
    assert "Line 4: no published micro-credential has the slug “no-such-badge”." in html
    assert "Line 5:" in html and "not an e-mail address" in html and "web address" in html
    assert "Line 6: it repeats line 2." in html
    assert Assertion.objects.count() == 0

    good = (
        "email,badge,narrative,evidence_url\n"
        f"ana@school.example,{slug},Met every criterion,https://example.org/ana\n"
        f"sam@school.example,{slug},,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):  # the background run
        response = admin_client.post(
            "/admin/issued_badges/award-from-csv/", {"file": csv_file(good)}
        )
    assert response.status_code == 302
    assert response.url.startswith("/admin/issued_badges/award-from-csv/")
    assert Assertion.objects.count() == 2
    ana = Assertion.objects.get(recipient_email="ana@school.example")
    assert ana.evidence_url == "https://example.org/ana"
    assert ana.awarded_by.email == "registrar@district.example"
    progress = admin_client.get(response.url).content.decode()
    assert "Badges from awards.csv" in progress
    assert "2 of 2 rows done (100%)" in progress
    assert "<dt>Badges awarded</dt><dd>2</dd>" in progress
    assert 'http-equiv="refresh"' not in progress  # finished: it stops reloading

    # The same file again awards nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = admin_client.post("/admin/issued_badges/award-from-csv/", {"file": csv_file(good)})
    assert Assertion.objects.count() == 2
    progress = admin_client.get(again.url).content.decode()
    assert "<dt>Already held (nothing awarded twice)</dt><dd>2</dd>" in progress
    uploads = admin_client.get("/admin/issued_badges/award-from-csv/").content.decode()
    assert uploads.count("Finished: 2 of 2 rows") == 2


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"name,course\nx,y\n", "missing: email, badge"),
        (b"email,badge\n", "no rows"),
    ],
)
def test_unreadable_files_get_a_clear_answer(admin_client, content, message):
    upload = io.BytesIO(content)
    upload.name = "awards.csv"
    response = admin_client.post("/admin/issued_badges/award-from-csv/", {"file": upload})
    assert message in response.content.decode()
    assert Assertion.objects.count() == 0


def test_the_listing_costs_the_same_queries_for_few_or_many(admin_client, badge_class):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assertion_award(recipient=UserFactory(), badge_class=badge_class, notify=False)
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/admin/issued_badges/")
    for _ in range(7):
        assertion_award(recipient=UserFactory(), badge_class=badge_class, notify=False)
    with CaptureQueriesContext(connection) as many:
        admin_client.get("/admin/issued_badges/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_export_cannot_smuggle_spreadsheet_formulas(admin_client, badge_class):
    sly = UserFactory(email="=1+1@school.example")
    assertion = assertion_award(recipient=sly, badge_class=badge_class, notify=False)
    from credentials.services.badges import assertion_revoke

    assertion_revoke(assertion=assertion, reason="@SUM(A1) copied work", revoked_by=None)
    body = b"".join(admin_client.get("/admin/issued_badges/?export=csv").streaming_content)
    text = body.decode()
    assert "'=1+1@school.example" in text
    assert "'@SUM(A1) copied work" in text


def test_line_numbers_count_blank_lines_and_trailing_empty_rows_are_ignored(
    admin_client, micro_credential
):
    slug = micro_credential.slug
    text = f"email,badge,narrative,evidence_url\n\nnobody@school.example,{slug},,\n,,,\n"
    html = admin_client.post("/admin/issued_badges/award-from-csv/", {"file": csv_file(text)})
    page = html.content.decode()
    assert "Line 3: no Leap account uses nobody@school.example." in page
    assert "Line 4" not in page


@pytest.mark.parametrize(
    "header, message",
    [
        ("email;badge;narrative", "not semicolons"),
        ("email,badge,email", "appears twice"),
        ("email,badge,grade", "unknown column"),
    ],
)
def test_malformed_headers_are_refused(admin_client, micro_credential, header, message):
    html = admin_client.post(
        "/admin/issued_badges/award-from-csv/", {"file": csv_file(header + "\nx,y,z\n")}
    ).content.decode()
    assert message in html
    assert Assertion.objects.count() == 0


def test_bulk_awards_read_csv_files_with_the_same_limits_as_invitations(admin_client):
    from cms.spreadsheets import CSV_MAX_ROWS

    text = "email,badge\n" + "ana@school.example,data\n" * (CSV_MAX_ROWS + 1)
    html = admin_client.post("/admin/issued_badges/award-from-csv/", {"file": csv_file(text)})
    assert f"upload at most {CSV_MAX_ROWS} at a time" in html.content.decode()
    assert Assertion.objects.count() == 0


def test_award_from_csv_sits_in_the_badges_menu_for_those_who_may_award(client, admin_client):
    home = admin_client.get("/admin/").content.decode()
    assert "Award badges from CSV" in home
    assert "/admin/issued_badges/award-from-csv/" in home
    viewer = UserFactory()
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_assertion"),
    )
    client.force_login(viewer)
    home = client.get("/admin/").content.decode()
    assert "Issued badges" in home  # the Badges menu is there for them
    assert "Award badges from CSV" not in home


def test_a_bulk_award_file_over_the_size_limit_is_refused_unread(admin_client):
    from cms.spreadsheets import CSV_MAX_BYTES

    text = "email,badge\n" + "x" * (CSV_MAX_BYTES + 10)
    html = admin_client.post(
        "/admin/issued_badges/award-from-csv/", {"file": csv_file(text)}
    ).content.decode()
    assert "The file is larger than" in html
    assert Assertion.objects.count() == 0
