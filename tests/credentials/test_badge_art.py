"""Badge art: the drawing itself, and the art a micro-credential gets when it is published
without an image of its own."""

import io
import re

import pytest
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PillowImage
from wagtail.images.models import Image

from cms.models import MicroCredentialPage
from cms.selectors import BADGE_RENDITION
from cms.validators import badge_image_kind
from credentials.models import Issuer, IssuingArrangement
from credentials.openbadges.art import SIZE, badge_art_png
from credentials.openbadges.baking import assertion_bake
from credentials.services.badge_art import (
    GENERATED_COLLECTION,
    badge_art_backfill,
    badge_art_ensure,
    badge_art_is_generated,
)
from credentials.services.badges import (
    assertion_award,
    badge_class_for_micro_credential,
    badge_class_snapshot,
)
from credentials.services.issuers import issuer_platform
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    MicroCredentialPageFactory,
    element,
    onboarded,
)


def opened(data: bytes) -> PillowImage.Image:
    image = PillowImage.open(io.BytesIO(data))
    image.load()
    return image


def art(**changes) -> bytes:
    values = {"title": "Data-Driven Instruction", "level": "Intermediate", "issuer": "Leap"}
    return badge_art_png(**{**values, **changes})


# The drawing.


def test_the_art_is_a_square_png_that_passes_the_badge_image_rule():
    data = art()
    image = opened(data)
    assert image.format == "PNG"
    assert image.size == (SIZE, SIZE) == (600, 600)
    assert image.mode == "RGBA"
    assert badge_image_kind(data) == "png"
    # Transparent corners around the badge; an opaque middle.
    assert image.getpixel((2, 2))[3] == 0
    assert image.getpixel((300, 300))[3] == 255


def test_the_same_inputs_give_the_same_bytes_on_the_same_libraries():
    assert art() == art()


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Designing Learning"},
        {"level": "Advanced"},
        {"issuer": "Springfield Unified School District"},
        {"theme": "another framework area"},
    ],
)
def test_each_input_shows_in_the_art(change):
    assert art(**change) != art()


def test_the_theme_picks_the_colour():
    def middle(data):
        return opened(data).getpixel((300, 460))[:3]  # the face, between ribbon and stars

    themes = [f"framework:{n}" for n in range(12)]
    colours = {middle(art(theme=theme)) for theme in themes}
    assert len(colours) >= 4  # themes spread over the palette
    assert middle(art(theme="CTO:10")) == middle(art(theme="CTO:10", title="Other"))


def test_a_very_long_title_still_fits_inside_the_badge():
    long_title = (
        "Total Cost of Ownership Analysis for Instructional Technology Investments across "
        "a Large Urban District with Many Schools and Programmes " * 3
    )
    image = opened(art(title=long_title, issuer="A District With A Very Long Official Name"))
    assert image.size == (600, 600)
    # Nothing is drawn outside the hexagon and its ribbon: the corners stay transparent.
    for corner in [(0, 0), (599, 0), (0, 599), (599, 599), (40, 40), (560, 560)]:
        assert image.getpixel(corner)[3] == 0, corner
    # An unbreakable word is split rather than spilling over the edge.
    image = opened(art(title="Supercalifragilisticexpialidociousinteroperabilityness"))
    assert image.getpixel((5, 300))[3] == 0


# Publishing.


def publish(page: MicroCredentialPage) -> MicroCredentialPage:
    page.save_revision().publish()
    return MicroCredentialPage.objects.select_related("badge_image__collection").get(pk=page.pk)


def uploaded_badge() -> Image:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (512, 512), "#224466").save(buffer, "PNG")
    return Image.objects.create(title="Our own badge", file=ImageFile(buffer, name="own.png"))


@pytest.mark.django_db
def test_publishing_without_an_image_draws_the_art_once(micro_credential):
    page = publish(micro_credential)
    image = page.badge_image
    assert image is not None and badge_art_is_generated(image)
    assert image.collection.name == GENERATED_COLLECTION
    with image.open_file() as handle:
        data = handle.read()
    assert data == art(theme=f"{element('2.7').framework.code}:2.7", issuer=issuer_platform().name)
    assert page.latest_revision.as_object().badge_image_id == image.pk

    # Publishing again (nothing changed) keeps the same image; so does the backfill.
    again = publish(page)
    assert again.badge_image_id == image.pk
    assert badge_art_backfill() == 0
    assert Image.objects.filter(collection__name=GENERATED_COLLECTION).count() == 1


@pytest.mark.django_db
def test_the_platform_art_is_kept_across_library_upgrades_until_art_version_changes(
    micro_credential, monkeypatch
):
    """Publishing again with a Pillow that draws other bytes keeps the stored art (and so
    the badge's version); a new ART_VERSION draws it again."""
    import credentials.openbadges.art as art_module
    import credentials.services.badge_art as badge_art_service

    page = publish(micro_credential)
    first = page.badge_image
    version = badge_class_for_micro_credential(page=page)
    monkeypatch.setattr(
        badge_art_service, "badge_art_png", lambda **inputs: art(title="Other bytes")
    )
    page = publish(MicroCredentialPage.objects.get(pk=page.pk))
    assert page.badge_image_id == first.pk
    assert badge_class_for_micro_credential(page=page).pk == version.pk

    monkeypatch.setattr(art_module, "ART_VERSION", art_module.ART_VERSION + 1)
    page = publish(MicroCredentialPage.objects.get(pk=page.pk))
    assert page.badge_image_id != first.pk and badge_art_is_generated(page.badge_image)
    assert badge_class_for_micro_credential(page=page).version == version.version + 1


@pytest.mark.django_db
def test_a_new_title_draws_new_art_while_the_art_is_generated(micro_credential):
    first = publish(micro_credential).badge_image
    page = MicroCredentialPage.objects.get(pk=micro_credential.pk)
    page.title = "Data-Driven Coaching"
    page = publish(page)
    assert page.badge_image_id != first.pk
    assert badge_art_is_generated(page.badge_image)
    assert page.badge_image.title == "Badge art: Data-Driven Coaching"


@pytest.mark.django_db
def test_an_editors_own_image_is_never_replaced(micro_credential):
    own = uploaded_badge()
    micro_credential.badge_image = own
    page = publish(micro_credential)
    assert page.badge_image_id == own.pk
    page.title = "Renamed"
    page = publish(page)
    assert page.badge_image_id == own.pk
    assert badge_art_ensure(page=page) is None
    assert not Image.objects.filter(collection__name=GENERATED_COLLECTION).exists()


@pytest.mark.django_db
def test_the_command_gives_older_pages_art(micro_credential):
    assert micro_credential.badge_image is None  # made live without publishing a revision
    out = io.StringIO()
    call_command("badge_art_generate", stdout=out)
    assert "Badge art drawn for 1 micro-credential(s)." in out.getvalue()
    page = MicroCredentialPage.objects.get(pk=micro_credential.pk)
    assert badge_art_is_generated(page.badge_image)
    call_command("badge_art_generate", stdout=out)
    assert "Badge art drawn for 0 micro-credential(s)." in out.getvalue()


@pytest.mark.django_db
def test_badges_carry_the_art_and_bake(micro_credential, learner):
    page = publish(micro_credential)
    badge_class = badge_class_for_micro_credential(page=page)
    with badge_class.image.open("rb") as handle:
        stored = handle.read()
    with page.badge_image.open_file() as handle:
        assert stored == handle.read()
    assertion = assertion_bake(
        assertion=assertion_award(recipient=learner, badge_class=badge_class)
    )
    with assertion.baked_image.open("rb") as handle:
        baked = opened(handle.read())
    assert baked.size == (600, 600) and "openbadges" in baked.info


@pytest.mark.django_db
def test_a_district_issuers_version_names_the_district(micro_credential):
    page = publish(micro_credential)
    district_issuer = Issuer(name="Springfield Unified", url="https://springfield.example/")
    snapshot = badge_class_snapshot(page, issuer=district_issuer)
    assert snapshot["read_image"]() == art(
        theme=f"{element('2.7').framework.code}:2.7", issuer="Springfield Unified"
    )
    platform = badge_class_snapshot(page, issuer=issuer_platform())
    with page.badge_image.open_file() as handle:
        assert platform["read_image"]() == handle.read()


# Where the art is shown.


@pytest.fixture
def earned(micro_credential, learner):
    page = publish(micro_credential)
    badge_class = badge_class_for_micro_credential(page=page)
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    return page, badge_class, assertion


def image_tags(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


@pytest.mark.django_db
def test_a_district_badge_version_follows_the_arts_inputs_not_its_bytes(
    micro_credential, learner, monkeypatch
):
    """District art is drawn, not stored: its version is keyed by what it is drawn from and
    ART_VERSION. A Pillow or FreeType upgrade that changes the bytes makes no new version;
    bumping ART_VERSION (the drawing changed) does; the art is drawn only for a new version."""
    import credentials.openbadges.art as art_module
    import credentials.services.badge_art as badge_art_service

    page = publish(micro_credential)
    district = DistrictFactory()
    onboarded(learner)
    MembershipFactory(user=learner, district=district)
    issuer = Issuer.objects.create(
        name="Springfield Unified",
        url="https://springfield.example/",
        district=district,
        email="badges@springfield.example",
    )
    IssuingArrangement.objects.create(issuer=issuer, micro_credential=page)
    first = badge_class_for_micro_credential(page=page, recipient=learner)
    assert first.issuer == issuer and first.version == 1

    drawn = []

    def other_library(**inputs):
        drawn.append(inputs)
        return b"\x89PNG other bytes from another Pillow " + str(len(drawn)).encode()

    monkeypatch.setattr(badge_art_service, "badge_art_png", other_library)
    again = badge_class_for_micro_credential(page=page, recipient=learner)
    assert again.pk == first.pk and again.version == 1
    assert drawn == []  # an existing version is found without drawing anything

    monkeypatch.setattr(art_module, "ART_VERSION", art_module.ART_VERSION + 1)
    redrawn = badge_class_for_micro_credential(page=page, recipient=learner)
    assert redrawn.version == 2 and redrawn.issuer == issuer
    assert len(drawn) == 1 and drawn[0]["issuer"] == "Springfield Unified"
    with redrawn.image.open("rb") as handle:
        assert handle.read().startswith(b"\x89PNG other bytes")
    assert badge_class_for_micro_credential(page=page, recipient=learner).pk == redrawn.pk


def test_the_art_shows_wherever_the_badge_does(client, earned, learner):
    page, badge_class, assertion = earned
    rendition = page.badge_image.get_rendition(BADGE_RENDITION).url
    badge_image = f"/public/badges/{badge_class.uuid}/image"
    public = {"HTTP_ACCEPT": "text/html"}
    expected = {
        "/micro-credentials/": rendition,
        page.url: rendition,
        f"/public/badges/{badge_class.uuid}": badge_image,
        f"/public/assertions/{assertion.uuid}": badge_image,
        f"/public/issuers/{badge_class.issuer.uuid}": rendition,
    }
    for url, src in expected.items():
        tags = [tag for tag in image_tags(client.get(url, **public).content.decode()) if src in tag]
        assert tags, url
        # The title is beside every image, so the image itself is not announced twice.
        assert all('alt=""' in tag for tag in tags), url
    onboarded(learner)
    client.force_login(learner)
    html = client.get("/my/badges/").content.decode()
    assert any(badge_image in tag and 'alt=""' in tag for tag in image_tags(html))
    html = client.get("/dashboard/").content.decode()
    baked = f"/public/assertions/{assertion.uuid}/image"
    assert any(baked in tag and 'alt=""' in tag for tag in image_tags(html))
    response = client.get(baked)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_the_issuer_page_lists_the_badges_it_awards(client, micro_credential):
    page = publish(micro_credential)
    index = page.get_parent()
    other = publish(MicroCredentialPageFactory(parent=index, title="Coaching Cycles"))
    draft = MicroCredentialPageFactory(parent=index, title="Not Yet Published")
    draft.unpublish()
    platform = issuer_platform()
    html = client.get(f"/public/issuers/{platform.uuid}", HTTP_ACCEPT="text/html").content
    html = html.decode()
    assert f'href="{page.url}"' in html and f'href="{other.url}"' in html
    assert "Not Yet Published" not in html

    district = DistrictFactory()
    issuer = Issuer.objects.create(
        name="Springfield Unified",
        url="https://springfield.example/",
        district=district,
        email="badges@springfield.example",
    )
    IssuingArrangement.objects.create(issuer=issuer, micro_credential=other)
    html = client.get(f"/public/issuers/{issuer.uuid}", HTTP_ACCEPT="text/html").content
    html = html.decode()
    assert f'href="{other.url}"' in html and f'href="{page.url}"' not in html


def test_pages_listing_badges_cost_the_same_queries_for_many(client, micro_credential):
    index = micro_credential.get_parent()
    publish(micro_credential)
    issuer = issuer_platform()
    urls = ["/micro-credentials/", f"/public/issuers/{issuer.uuid}"]

    def counts() -> dict:
        result = {}
        for url in urls:
            client.get(url, HTTP_ACCEPT="text/html")  # renditions are made on the first view
            with CaptureQueriesContext(connection) as queries:
                client.get(url, HTTP_ACCEPT="text/html")
            result[url] = len(queries.captured_queries)
        return result

    few = counts()
    for n in range(8):
        publish(MicroCredentialPageFactory(parent=index, title=f"Badge {n}"))
    many = counts()
    assert many == few
    assert client.get(urls[1], HTTP_ACCEPT="text/html").content.decode().count("badge-art") >= 9


@pytest.mark.django_db
def test_the_ledger_keeps_the_badge_image_credentials_gave_it(micro_credential, learner):
    """Credentials passes the assertion's image to learning when it awards a badge, so the
    dashboard needs no knowledge of assertion keys or credentials' URLs; migration
    credentials 0011 fills entries made before, and only those naming an assertion."""
    from importlib import import_module

    from django.apps import apps as global_apps

    from learning.models import CreditEntry
    from learning.services import badge_earned

    page = publish(micro_credential)
    badge_class = badge_class_for_micro_credential(page=page)
    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    entry = CreditEntry.objects.get(user=learner, source_key=f"badge:{assertion.uuid}")
    assert entry.image_url == f"/public/assertions/{assertion.uuid}/image"
    other = badge_earned(
        user=learner,
        micro_credential_id=None,
        title="Imported from elsewhere",
        hours=1,
        earned_on=entry.earned_on,
        key="imported-1",
    )
    assert other.image_url == ""

    CreditEntry.objects.update(image_url="")
    import_module("credentials.migrations.0011_credit_entry_badge_images").fill(global_apps, None)
    entry.refresh_from_db()
    other.refresh_from_db()
    assert entry.image_url == f"/public/assertions/{assertion.uuid}/image"
    assert other.image_url == ""
