from django.urls import path, re_path

from credentials.views import public as views
from credentials.views import verify

app_name = "credentials"

# A public contract: these URLs are the ids inside every badge ever issued.
urlpatterns = [
    path("issuers/<uuid:uuid>", views.issuer, name="issuer"),
    path("issuers/<uuid:uuid>/image", views.issuer_image, name="issuer_image"),
    path("issuers/<uuid:uuid>/jwks", views.issuer_jwks, name="issuer_jwks"),
    path("issuers/<uuid:uuid>/did.json", views.issuer_did_document, name="issuer_did"),
    path("issuers/<uuid:uuid>/keys/<slug:kid>", views.issuer_key, name="issuer_key"),
    path("issuers/<uuid:uuid>/revocations", views.issuer_revocations, name="issuer_revocations"),
    path(
        "issuers/<uuid:uuid>/status/<int:number>",
        views.issuer_status_list,
        name="issuer_status_list",
    ),
    path("badges/<uuid:uuid>", views.badge, name="badge"),
    path("badges/<uuid:uuid>/image", views.badge_image, name="badge_image"),
    path("assertions/<uuid:uuid>", views.assertion, name="assertion"),
    path("assertions/<uuid:uuid>/image", views.assertion_image, name="assertion_image"),
    # Open Badges 3.0: the signed credential (VC-JWT), and its JSON for reading.
    path("assertions/<uuid:uuid>/ob3", views.assertion_ob3, name="assertion_ob3"),
    path("assertions/<uuid:uuid>/ob3.json", views.assertion_ob3_json, name="assertion_ob3_json"),
    # Verify any badge (JSON in, JSON out); the page for people is /verify/.
    path("verify", verify.verify_api, name="verify_api"),
    # Anything else here (a malformed id) is a plain 404, never a redirect to a page.
    re_path(r"^", views.not_found),
]
