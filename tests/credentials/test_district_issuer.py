"""District issuers: a district admin's issuer profile screen, the arrangements that choose
who issues a micro-credential to whom, and badges under a district's name that verify (Open
Badges 2.0 with the official validator, 3.0 with the district's own key)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from jwcrypto import jwk, jws
from PIL import Image

from accounts.errors import LeapError
from credentials.models import Issuer, IssuerKey, IssuingArrangement
from credentials.openbadges.keys import issuer_signing_key
from credentials.services.badges import (
    assertion_award,
    badge_class_for_micro_credential,
    badge_class_snapshot,
)
from credentials.services.bulk import bulk_award_start
from credentials.services.issuers import (
    issuer_for_district_save,
    issuer_platform,
    issuing_arrangements_set,
)
from tests.credentials.test_ob3 import fetch_jwt, verify
from tests.credentials.test_official_validator import validate
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="5"/></svg>'


def png(width: int, height: int, name: str = "logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#0b5c8a").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def district(db):
    return DistrictFactory(name="Springfield Public Schools", slug="springfield")


@pytest.fixture
def district_admin(district):
    return MembershipFactory(district=district, role="district_admin").user


@pytest.fixture
def district_issuer(district, micro_credential):
    issuer = issuer_for_district_save(
        district=district,
        name="Springfield Public Schools",
        url="https://springfield.example/",
        email="badges@springfield.example",
        description="Professional learning for Springfield's educators.",
        image=png(400, 400),
    )
    issuing_arrangements_set(issuer=issuer, pages=[micro_credential])
    return issuer


@pytest.fixture
def member(district, learner):
    MembershipFactory(district=district, user=learner)
    return learner


def screen(district) -> str:
    return f"/district/{district.slug}/issuer/"


def form_data(micro_credential, **changes) -> dict:
    data = {
        "name": "Springfield Public Schools",
        "url": "https://springfield.example/",
        "email": "badges@springfield.example",
        "description": "Professional learning for Springfield's educators.",
        "micro_credentials": [str(micro_credential.pk)],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Who may see the screen.


@pytest.mark.parametrize(
    "who",
    ["learner", "facilitator", "inactive_admin", "other_district_admin", "staff"],
)
def test_only_the_districts_admins_reach_the_issuer_screen(client, district, who):
    if who == "other_district_admin":
        user = MembershipFactory(role="district_admin").user
    elif who == "inactive_admin":
        user = MembershipFactory(district=district, role="district_admin", is_active=False).user
    elif who == "staff":
        user = UserFactory(is_staff=True, is_superuser=True)
    else:
        user = MembershipFactory(district=district, role=who).user
    client.force_login(user)
    assert client.get(screen(district)).status_code == 404
    assert client.post(screen(district), {"name": "Taken over"}).status_code == 404
    assert not Issuer.objects.filter(district=district).exists()


def test_anonymous_people_are_sent_to_log_in(client, district):
    response = client.get(screen(district))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_district_admin_sees_the_screen_linked_from_the_district_home(
    client, district, district_admin, micro_credential
):
    client.force_login(district_admin)
    assert screen(district) in client.get(f"/district/{district.slug}/").content.decode()
    response = client.get(screen(district))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Badge issuer profile" in html
    assert "Data-Driven Instruction" in html  # a live micro-credential to choose
    assert 'value="Springfield Public Schools"' in html  # the district's name, to start with


# Saving.


def test_saving_creates_the_profile_and_the_arrangements(
    client, district, district_admin, micro_credential
):
    client.force_login(district_admin)
    response = client.post(
        screen(district), {**form_data(micro_credential), "image": png(512, 512)}
    )
    assert response.status_code == 302
    issuer = Issuer.objects.get(district=district)
    assert issuer.name == "Springfield Public Schools"
    assert issuer.email == "badges@springfield.example"
    assert not issuer.is_platform
    assert issuer.image.name.endswith(".png")
    assert list(issuer.issuing_arrangements.values_list("micro_credential", flat=True)) == [
        micro_credential.pk
    ]
    page = client.get(response["Location"]).content.decode()
    assert "is saved" in page
    assert f"/public/issuers/{issuer.uuid}" in page


def test_saving_again_updates_the_one_profile(
    client,
    district,
    district_admin,
    district_issuer,
    micro_credential,
    django_capture_on_commit_callbacks,
):
    client.force_login(district_admin)
    # The public JSON is cached; a change replaces it once it commits.
    url = f"/public/issuers/{district_issuer.uuid}?format=json"
    assert client.get(url).json()["name"] == "Springfield Public Schools"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            screen(district),
            form_data(micro_credential, name="Springfield PS", micro_credentials=None),
        )
    assert response.status_code == 302
    issuer = Issuer.objects.get(district=district)
    assert issuer.pk == district_issuer.pk
    assert issuer.name == "Springfield PS"
    assert issuer.image  # no new file: the image is kept
    assert not issuer.issuing_arrangements.exists()
    assert client.get(url).json()["name"] == "Springfield PS"


def test_an_svg_image_is_accepted(client, district, district_admin, micro_credential):
    client.force_login(district_admin)
    image = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")
    response = client.post(screen(district), {**form_data(micro_credential), "image": image})
    assert response.status_code == 302
    issuer = Issuer.objects.get(district=district)
    served = client.get(f"/public/issuers/{issuer.uuid}/image")
    assert served["Content-Type"] == "image/svg+xml"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": "badges at springfield"}, "email", "Enter a valid email address."),
        ({"url": "ftp://springfield.example/"}, "url", "Enter a valid URL."),
        ({"image": "non-square"}, "image", "The image must be square; this one is 600 × 400"),
        ({"image": "small"}, "image", "at least 400 × 400 pixels; this one is 200 × 200"),
        ({"image": "not-an-image"}, "image", "The image must be a PNG or an SVG file."),
        ({"micro_credentials": ["999999"]}, "micro_credentials", "Select a valid choice."),
    ],
)
def test_bad_input_is_explained_and_saves_nothing(
    client, district, district_admin, micro_credential, changes, field, message
):
    images = {
        "non-square": png(600, 400),
        "small": png(200, 200),
        "not-an-image": SimpleUploadedFile("logo.png", b"GIF89a not a png"),
    }
    if "image" in changes:
        changes = {"image": images[changes["image"]]}
    client.force_login(district_admin)
    response = client.post(screen(district), form_data(micro_credential, **changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "Please correct the highlighted fields." in response.content.decode()
    assert not Issuer.objects.filter(district=district).exists()
    assert not IssuingArrangement.objects.exists()


def test_bad_input_leaves_an_existing_profile_as_it_was(
    client, district, district_admin, district_issuer, micro_credential
):
    client.force_login(district_admin)
    response = client.post(
        screen(district),
        {**form_data(micro_credential, name="Renamed", micro_credentials=None), "image": png(9, 9)},
    )
    assert response.status_code == 400
    issuer = Issuer.objects.get(district=district)
    assert issuer.name == "Springfield Public Schools"
    assert issuer.issuing_arrangements.count() == 1


def test_the_service_refuses_bad_values_too(district):
    with pytest.raises(LeapError) as raised:
        issuer_for_district_save(
            district=district, name=" ", url="javascript:alert(1)", email="x", description=""
        )
    assert set(raised.value.fields) == {"name", "url", "email"}
    assert not Issuer.objects.exists()


# Who issues.


def test_a_member_earns_the_badge_from_the_district(district_issuer, member, micro_credential):
    badge_class = badge_class_for_micro_credential(page=micro_credential, recipient=member)
    assertion = assertion_award(recipient=member, badge_class=badge_class, notify=False)
    assert assertion.badge_class.issuer == district_issuer
    assert badge_class.family == f"micro-credential:{micro_credential.pk}"
    assert badge_class.version == 1
    # Asking again gives the same version.
    assert badge_class_for_micro_credential(page=micro_credential, recipient=member) == badge_class


def test_everyone_else_earns_it_from_the_platform(district, district_issuer, micro_credential):
    outsider = UserFactory()
    former = MembershipFactory(district=district, is_active=False).user
    for person in [outsider, former, None]:
        badge_class = badge_class_for_micro_credential(page=micro_credential, recipient=person)
        assert badge_class.issuer == issuer_platform()
    assertion = assertion_award(recipient=outsider, badge_class=badge_class, notify=False)
    assert assertion.badge_class.issuer.is_platform


def test_a_member_earns_from_the_platform_what_the_district_does_not_issue(
    district, district_issuer, member, micro_credential
):
    issuing_arrangements_set(issuer=district_issuer, pages=[])
    badge_class = badge_class_for_micro_credential(page=micro_credential, recipient=member)
    assert badge_class.issuer == issuer_platform()


def test_a_deactivated_district_no_longer_issues(
    district, district_issuer, member, micro_credential
):
    district.is_active = False
    district.save()
    badge_class = badge_class_for_micro_credential(page=micro_credential, recipient=member)
    assert badge_class.issuer == issuer_platform()


def test_each_issuer_has_its_own_versions_in_one_family(
    district_issuer, member, micro_credential, badge_class
):
    district_class = badge_class_for_micro_credential(page=micro_credential, recipient=member)
    assert badge_class.issuer.is_platform and district_class.issuer == district_issuer
    assert district_class != badge_class
    assert district_class.family == badge_class.family
    assert district_class.version == badge_class.version == 1
    assert district_class.content_hash != badge_class.content_hash
    # The platform's hash leaves the issuer out, so badges made before district issuers
    # existed are not made again.
    assert badge_class_snapshot(micro_credential)["hash"] == badge_class.content_hash
    # One live badge per micro-credential, whoever issued it.
    held = assertion_award(recipient=member, badge_class=badge_class, notify=False)
    again = assertion_award(recipient=member, badge_class=district_class, notify=False)
    assert again == held


def test_bulk_awards_follow_the_arrangements(
    district_issuer, member, micro_credential, django_capture_on_commit_callbacks
):
    outsider = UserFactory(email="sam@elsewhere.example")
    data = (
        f"email,badge\n{member.email},{micro_credential.slug}\n"
        f"{outsider.email},{micro_credential.slug}\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        result = bulk_award_start(data=data, awarded_by=None)
    result.job.refresh_from_db()
    assert result.ok and result.job.outcomes == {"awarded": 2}
    assert member.assertions.get().badge_class.issuer == district_issuer
    assert outsider.assertions.get().badge_class.issuer.is_platform


# What verifiers see.


def test_the_public_issuer_json_is_open_badges_2(client, district_issuer):
    data = client.get(f"/public/issuers/{district_issuer.uuid}?format=json").json()
    assert data == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": f"http://testserver/public/issuers/{district_issuer.uuid}",
        "name": "Springfield Public Schools",
        "url": "https://springfield.example/",
        "email": "badges@springfield.example",
        "description": "Professional learning for Springfield's educators.",
        "image": f"http://testserver/public/issuers/{district_issuer.uuid}/image",
    }
    image = client.get(data["image"].removeprefix("http://testserver"))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_the_ob3_credential_is_signed_with_the_districts_own_key(
    client, district_issuer, member, micro_credential
):
    badge_class = badge_class_for_micro_credential(page=micro_credential, recipient=member)
    assertion = assertion_award(recipient=member, badge_class=badge_class, notify=False)
    token = fetch_jwt(client, assertion)
    credential = verify(client, token)
    # The district issues under its own did:web DID.
    assert credential["issuer"]["id"] == f"did:web:testserver:public:issuers:{district_issuer.uuid}"
    assert credential["issuer"]["name"] == "Springfield Public Schools"
    assert credential["issuer"]["image"]["type"] == "Image"
    kid = json.loads(jwk.base64url_decode(token.split(".")[0]))["kid"]
    key = IssuerKey.objects.get(kid=kid.rsplit("/", 1)[1])
    assert key.issuer == district_issuer
    # The platform's key does not verify it.
    platform_key = jwk.JWK(**issuer_signing_key(issuer_platform(), "ES256").public_jwk)
    signed = jws.JWS()
    signed.deserialize(token)
    with pytest.raises(jws.InvalidJWSSignature):
        signed.verify(platform_key, alg="ES256")


@pytest.fixture
def hosted_here(live_server, settings):
    """Open Badges ids on the live server, set before anything is made (or cached)."""
    settings.SITE_URL = live_server.url
    return live_server


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_district_issued_badge_passes_the_official_validator(
    hosted_here, district_issuer, member, micro_credential
):
    live_server = hosted_here
    badge_class = badge_class_for_micro_credential(page=micro_credential, recipient=member)
    assert badge_class.issuer == district_issuer
    assertion = assertion_award(recipient=member, badge_class=badge_class)
    verdict = validate(f"{live_server.url}/public/assertions/{assertion.uuid}", member.email)
    assert verdict["errors"] == []
    assert verdict["valid"] is True
