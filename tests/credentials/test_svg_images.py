"""Issuer and badge SVGs are made passive: what a district admin or an editor uploads keeps
its picture and loses scripts, event handlers, foreign content, outside references and
metadata, before Leap stores it, publishes it or bakes a badge from it; images stored
before are rewritten by `manage.py svgs_sanitise`."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from wagtail.images import get_image_model

from cms.svg import NotSvg, svg_sanitise
from credentials.models import Issuer
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from tests.credentials.test_district_issuer import form_data, screen
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

HOSTILE = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 10 10"
     onload="alert('onload')" inkscape:label="Zelda Quist">
  <metadata><creator>Zelda Quist</creator></metadata>
  <script>alert('script')</script>
  <defs><linearGradient id="sky"><stop offset="0" stop-color="#0b5c8a"/></linearGradient></defs>
  <circle cx="5" cy="5" r="4" fill="url(#sky)" onclick="alert('click')"
          style="stroke:#222;fill:url(https://tracker.example/pixel)"/>
  <a xlink:href="javascript:alert('link')"><rect width="2" height="2"/></a>
  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/>
  </foreignObject>
  <use xlink:href="https://evil.example/sprite.svg#x"/>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
  <animate attributeName="href" to="javascript:alert('animate')"/>
  <style>@import url(https://evil.example/x.css);</style>
  <text x="1" y="9">Springfield <tspan font-weight="bold">PS</tspan></text>
</svg>"""
GONE = [
    b"alert",
    b"onload",
    b"onclick",
    b"script",
    b"javascript",
    b"foreignObject",
    b"iframe",
    b"evil.example",
    b"tracker.example",
    b"@import",
    b"Zelda",
    b"inkscape",
    b"animate",
]


def assert_passive(data: bytes):
    for word in GONE:
        assert word not in data, word
    # The picture stays: its shapes, its own gradient, its text and an embedded PNG.
    for kept in (
        b'fill="url(#sky)"',
        b"stroke:#222",
        b'<stop offset="0" stop-color="#0b5c8a">',
        b"Springfield <tspan",
        b'xlink:href="data:image/png;base64,iVBORw0KGgo="',
    ):
        assert kept in data, kept


def test_an_svg_keeps_its_picture_and_loses_everything_else():
    assert_passive(svg_sanitise(HOSTILE))
    assert svg_sanitise(svg_sanitise(HOSTILE)) == svg_sanitise(HOSTILE)  # stable


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>hi</body></html>",
        b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        b"not xml at all",
    ],
)
def test_what_is_not_an_svg_is_refused(data):
    with pytest.raises(NotSvg):
        svg_sanitise(data)


@pytest.mark.django_db
def test_a_district_admins_svg_is_stored_and_published_passive(client, micro_credential):
    district = DistrictFactory(slug="springfield")
    admin = MembershipFactory(district=district, role="district_admin").user
    client.force_login(admin)
    image = SimpleUploadedFile("logo.svg", HOSTILE, content_type="image/svg+xml")
    response = client.post(screen(district), {**form_data(micro_credential), "image": image})
    assert response.status_code == 302
    issuer = Issuer.objects.get(district=district)
    served = client.get(f"/public/issuers/{issuer.uuid}/image")
    assert served["Content-Type"] == "image/svg+xml"
    assert_passive(b"".join(served.streaming_content))


@pytest.mark.django_db
def test_an_editors_svg_badge_is_passive_in_the_cms_the_badge_and_the_baked_badge(
    micro_credential, django_capture_on_commit_callbacks
):
    image = get_image_model().objects.create(
        title="badge", file=ImageFile(io.BytesIO(HOSTILE), name="badge.svg")
    )
    with image.file.open("rb") as handle:
        assert_passive(handle.read())  # the CMS keeps only the passive form
    micro_credential.badge_image = image
    micro_credential.save_revision().publish()
    badge_class = badge_class_for_micro_credential(page=micro_credential)
    with badge_class.image.open("rb") as handle:
        assert_passive(handle.read())
    with django_capture_on_commit_callbacks(execute=True):
        assertion = assertion_award(recipient=UserFactory(), badge_class=badge_class)
    assertion.refresh_from_db()
    with assertion.baked_image.open("rb") as handle:
        baked = handle.read()
    for word in GONE:
        assert word not in baked, word
    assert b"openbadges:assertion" in baked


@pytest.mark.django_db
def test_svgs_stored_before_are_rewritten_by_the_command(micro_credential):
    issuer = Issuer.objects.create(name="Old district issuer", url="https://old.example/")
    issuer.image.save("old.svg", ContentFile(HOSTILE))
    out = io.StringIO()
    call_command("svgs_sanitise", stdout=out)
    assert "Issuer images rewritten: 1." in out.getvalue()
    issuer.refresh_from_db()
    with issuer.image.open("rb") as handle:
        assert_passive(handle.read())
    out = io.StringIO()
    call_command("svgs_sanitise", stdout=out)
    assert "Issuer images rewritten: 0." in out.getvalue()
