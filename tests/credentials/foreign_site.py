"""Another badge issuer's site, on localhost: a small HTTP server that serves what a test
puts in `site.pages`, so the verifier can check badges that are not Leap's without
anything being fetched from outside."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials.openbadges.data_integrity import proof_create
from credentials.openbadges.multibase import ed25519_multikey
from credentials.openbadges.status_list import encoded_list


class ForeignSite:
    def __init__(self):
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.delay_seconds = 0.0
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server name)
                site.requests.append(self.path)
                if site.delay_seconds:
                    time.sleep(site.delay_seconds)
                status, content_type, body = site.pages.get(
                    self.path, (404, "application/json", b'{"error": "not found"}')
                )
                try:
                    self.send_response(status)
                    if 300 <= status < 400:  # a redirect: the body is where to
                        self.send_header("Location", body.decode())
                        body = b""
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the verifier gave up waiting, as it should

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.origin = f"http://localhost:{self.port}"
        self.did = f"did:web:localhost%3A{self.port}:issuer"
        self.key = Ed25519PrivateKey.generate()
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def serve_json(self, path: str, data: dict, status: int = 200) -> str:
        self.pages[path] = (status, "application/ld+json", json.dumps(data).encode())
        return self.origin + path

    # ---- an Open Badges 2.0 issuer ----
    def ob2_badge(self, *, identity: str, issuer_host: str | None = None, revoked=False) -> dict:
        issuer_origin = f"http://{issuer_host}:{self.port}" if issuer_host else self.origin
        issuer = {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Issuer",
            "id": f"{issuer_origin}/issuer.json",
            "name": "Riverside Teacher Academy",
            "url": self.origin,
            "email": "badges@riverside.example",
        }
        badge = {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "BadgeClass",
            "id": f"{self.origin}/badge.json",
            "name": "Inquiry-Based Science",
            "description": "Designs and runs an inquiry unit.",
            "image": f"{self.origin}/badge.png",
            "criteria": {"narrative": "Plan, teach and reflect on an inquiry unit."},
            "issuer": issuer["id"],
        }
        assertion = {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Assertion",
            "id": f"{self.origin}/assertion.json",
            "recipient": {"type": "email", "hashed": False, "identity": identity},
            "badge": badge["id"],
            "verification": {"type": "HostedBadge"},
            "issuedOn": "2026-03-01T12:00:00Z",
        }
        self.serve_json("/issuer.json", issuer)
        self.serve_json("/badge.json", badge)
        if revoked:
            self.serve_json(
                "/assertion.json",
                {"id": assertion["id"], "revoked": True, "revocationReason": "Issued in error"},
                status=410,
            )
        else:
            self.serve_json("/assertion.json", assertion)
        return assertion

    def ob2_signed_badge(self, *, identity: str, revoked: bool = False, vouched=True) -> str:
        """A signed OB 2.0 assertion (a JWS, RS256) by a key the issuer owns, with the
        issuer's revocation list."""
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.serialization import (
            Encoding as PemEncoding,
        )
        from cryptography.hazmat.primitives.serialization import (
            PublicFormat as PemFormat,
        )

        self.ob2_badge(identity=identity)
        issuer = json.loads(self.pages["/issuer.json"][2])
        issuer["revocationList"] = f"{self.origin}/revocations.json"
        if vouched:
            issuer["publicKey"] = f"{self.origin}/key.json"  # the issuer vouches for its key
        self.serve_json("/issuer.json", issuer)
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.public_key().public_bytes(PemEncoding.PEM, PemFormat.SubjectPublicKeyInfo)
        self.serve_json(
            "/key.json",
            {
                "@context": "https://w3id.org/openbadges/v2",
                "type": "CryptographicKey",
                "id": f"{self.origin}/key.json",
                "owner": issuer["id"],
                "publicKeyPem": pem.decode(),
            },
        )
        assertion = {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Assertion",
            "id": "urn:uuid:2f0c8a5e-1b7d-4f7e-9d43-6a1c2b3d4e5f",
            "recipient": {"type": "email", "hashed": False, "identity": identity},
            "badge": f"{self.origin}/badge.json",
            "verification": {"type": "SignedBadge", "creator": f"{self.origin}/key.json"},
            "issuedOn": "2026-03-01T12:00:00Z",
        }
        revoked_list = [{"id": assertion["id"], "revocationReason": "Issued in error"}]
        self.serve_json(
            "/revocations.json",
            {
                "@context": "https://w3id.org/openbadges/v2",
                "type": "RevocationList",
                "id": f"{self.origin}/revocations.json",
                "issuer": issuer["id"],
                "revokedAssertions": revoked_list if revoked else [],
            },
        )
        return jwt.encode(assertion, private, algorithm="RS256")

    # ---- an Open Badges 3.0 issuer (did:web, a Bitstring status list) ----
    def did_document(self) -> dict:
        raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        method = f"{self.did}#key-1"
        document = {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.did,
            "verificationMethod": [
                {
                    "id": method,
                    "type": "Multikey",
                    "controller": self.did,
                    "publicKeyMultibase": ed25519_multikey(raw),
                }
            ],
            "assertionMethod": [method],
        }
        self.serve_json("/issuer/did.json", document)
        return document

    def did_key(self) -> str:
        raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return f"did:key:{ed25519_multikey(raw)}"

    def signed(self, document: dict, key=None, method: str | None = None) -> dict:
        proof = proof_create(
            document,
            private_key=key or self.key,
            verification_method=method or f"{self.did}#key-1",
            created="2026-03-01T12:00:00Z",
        )
        return {**document, "proof": proof}

    def status_list(self, revoked_indexes=()) -> str:
        url = f"{self.origin}/status/1"
        status_list = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.did,
            "validFrom": "2026-03-01T12:00:00Z",
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encoded_list(revoked_indexes),
            },
        }
        self.serve_json("/status/1", self.signed(status_list))
        return url

    def ob3_credential(self, *, issuer: str | None = None, valid_until: str | None = None) -> dict:
        issuer = issuer or self.did
        credential = {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": f"{self.origin}/credentials/7",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": issuer, "type": ["Profile"], "name": "Riverside Teacher Academy"},
            "validFrom": "2026-03-01T12:00:00Z",
            "name": "Inquiry-Based Science",
            "credentialSubject": {
                "id": "urn:uuid:6b1c1f0e-3c59-4d7e-9a65-0e2b5d9c4a11",
                "type": ["AchievementSubject"],
                "achievement": {
                    "id": f"{self.origin}/achievements/inquiry",
                    "type": ["Achievement"],
                    "name": "Inquiry-Based Science",
                    "description": "Designs and runs an inquiry unit.",
                    "criteria": {"narrative": "Plan, teach and reflect on an inquiry unit."},
                },
            },
        }
        if valid_until:
            credential["validUntil"] = valid_until
        if issuer == self.did:
            self.did_document()
            url = self.status_list()
            credential["credentialStatus"] = {
                "id": f"{url}#5",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "5",
                "statusListCredential": url,
            }
        return credential
