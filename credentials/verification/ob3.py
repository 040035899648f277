"""Open Badges 3.0 verification: the credential's proof (an eddsa-rdfc-2022 Data Integrity
proof, or a VC-JWT), by a key its issuer controls; its status (a W3C Bitstring status list,
itself signed by the issuer, or 1EdTech's revocation list); its validity period; and,
when asked, its recipient.

Keys are found the way the issuer's identifier says: a did:web DID's document (fetched,
bounded), a did:key (read from the identifier itself), or a key URL on the issuer's own
host. A key counts only when its issuer controls it: the DID document lists it for
assertions, or the key's URL is on the issuer's host."""

import base64
import zlib

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.openbadges.data_integrity import CRYPTOSUITE, proof_problem
from credentials.openbadges.did import did_web_url
from credentials.openbadges.multibase import ed25519_from_multikey
from credentials.verification.fetch import FetchError
from credentials.verification.ob2 import strings
from credentials.verification.result import Verification, parsed_time

VC_CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1")
BADGE_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
JWT_ALGORITHMS = ("ES256", "ES384", "RS256", "PS256", "EdDSA")
MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024  # a list of 131,072 bits is 16 KB; allow larger


class KeyProblem(ValueError):
    pass


def is_credential(document: dict) -> bool:
    return bool(set(VC_CONTEXTS) & strings(document.get("@context"))) or (
        "VerifiableCredential" in strings(document.get("type"))
    )


def _issuer_id(credential: dict) -> str:
    issuer = credential.get("issuer")
    return str(issuer.get("id", "") if isinstance(issuer, dict) else issuer or "")


def _describe(result: Verification, credential: dict) -> None:
    badge = result.badge
    issuer = credential.get("issuer")
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    badge.id = str(credential.get("id", ""))
    badge.issuer_id = _issuer_id(credential)
    if isinstance(issuer, dict):
        badge.issuer_name = str(issuer.get("name", ""))
        badge.issuer_url = str(issuer.get("url", ""))
    if isinstance(achievement, dict):
        badge.name = str(achievement.get("name", ""))
        badge.description = str(achievement.get("description", ""))
        criteria = achievement.get("criteria")
        badge.criteria_url = str(criteria.get("id", "")) if isinstance(criteria, dict) else ""
    badge.name = badge.name or str(credential.get("name", ""))


def _structure_ok(result: Verification, credential: dict) -> bool:
    if not strings(credential.get("type")) & BADGE_TYPES:
        result.failed("Format", "It is a verifiable credential, but not an Open Badge.")
        return False
    if not _issuer_id(credential):
        result.failed("Format", "It does not say who issued it.")
        return False
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict | list) or not subject:
        result.failed("Format", "It does not say who earned it.")
        return False
    return True


def credential_verify(result: Verification, credential: dict) -> None:
    """A JSON-LD credential with an embedded Data Integrity proof."""
    result.format = "Open Badges 3.0, Data Integrity proof"
    result.document = credential
    _describe(result, credential)
    if not _structure_ok(result, credential):
        return
    proof = credential.get("proof")
    if isinstance(proof, list):
        proof = next((item for item in proof if isinstance(item, dict)), None)
        credential = {**credential, "proof": proof}
    if not isinstance(proof, dict):
        result.failed("Signature", "It carries no proof, so anyone could have written it.")
        return
    if proof.get("cryptosuite") != CRYPTOSUITE:
        kind = proof.get("cryptosuite") or proof.get("type")
        result.failed(
            "Signature",
            f"Its proof is of a kind Leap does not check ({kind}); Leap checks {CRYPTOSUITE} "
            "proofs and VC-JWTs.",
        )
        return
    if proof.get("proofPurpose") != "assertionMethod":
        result.failed("Signature", "Its proof was not made for asserting a credential.")
        return
    issuer = _issuer_id(credential)
    try:
        public_key = _ed25519_key(result, str(proof.get("verificationMethod", "")), issuer)
    except (KeyProblem, FetchError) as error:
        result.failed("Signature", str(error))
        return
    problem = proof_problem(credential, public_key)
    if problem:
        result.failed("Signature", problem)
        return
    result.passed("Signature", f"Signed by its issuer ({_issuer_label(result)}).")
    _after_signature(result, credential)


def _issuer_label(result: Verification) -> str:
    return f"“{result.badge.issuer_name}”" if result.badge.issuer_name else result.badge.issuer_id


def _after_signature(result: Verification, credential: dict) -> None:
    result.times_check(
        parsed_time(credential.get("validFrom") or credential.get("issuanceDate")),
        parsed_time(credential.get("validUntil") or credential.get("expirationDate")),
    )
    status_check(result, credential)
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    identities = subject.get("identifier") or [] if isinstance(subject, dict) else []
    identities = identities if isinstance(identities, list) else [identities]
    result.recipient_check([i for i in identities if isinstance(i, dict)])


# ---- keys ----


def _did_document(result: Verification, did: str) -> dict:
    try:
        url = did_web_url(did)
    except ValueError as error:
        raise KeyProblem(f"Its issuer's identifier {did} is not one Leap can resolve.") from error
    _status, document = result.get_json(url, what="issuer's DID document")
    if document.get("id") != did:
        raise KeyProblem(f"The DID document at {url} is for another identifier.")
    return document


def _method(result: Verification, method_id: str, issuer: str) -> dict:
    """The verification method `method_id`, once its issuer is shown to control it."""
    if not method_id:
        raise KeyProblem("It does not name the key that signed it.")
    did = method_id.split("#")[0]
    if did.startswith("did:key:"):
        if did != issuer:
            raise KeyProblem("It was signed by a key that is not its issuer's.")
        multikey = did.removeprefix("did:key:")
        return {"id": method_id, "type": "Multikey", "publicKeyMultibase": multikey}
    if did.startswith("did:web:"):
        if did != issuer:
            raise KeyProblem("It was signed by a key that is not its issuer's.")
        document = _did_document(result, did)
        listed = document.get("verificationMethod")
        methods = {
            _absolute(did, m["id"]): m
            for m in (listed if isinstance(listed, list) else [])
            if isinstance(m, dict) and isinstance(m.get("id"), str)
        }
        refs = document.get("assertionMethod")
        assertion_ids = set()
        for ref in refs if isinstance(refs, list) else []:
            if isinstance(ref, dict) and isinstance(ref.get("id"), str):
                methods.setdefault(_absolute(did, ref["id"]), ref)  # embedded, not referenced
                ref = ref["id"]
            if isinstance(ref, str):
                assertion_ids.add(_absolute(did, ref))
        method = methods.get(method_id)
        if method is None:
            raise KeyProblem(f"The issuer's DID document does not list the key {method_id}.")
        if method_id not in assertion_ids:
            raise KeyProblem("The issuer's DID document does not allow that key to sign badges.")
        return method
    if method_id.startswith(("http://", "https://")):
        _issuer_owns(method_id, issuer, "key")
        _status, method = result.get_json(method_id, what="signing key")
        if method.get("controller") != issuer:
            raise KeyProblem("The key that signed it says another issuer controls it.")
        return method
    raise KeyProblem(f"Leap cannot resolve the key {method_id}.")


def _absolute(did: str, reference: str) -> str:
    return reference if reference.startswith("did:") else did + reference


def _issuer_base(issuer: str) -> str:
    """Where an issuer's own documents live: under its DID document's folder (did:web) or
    under its profile's address. Not merely its host, which many issuers may share."""
    if issuer.startswith("did:web:"):
        try:
            return did_web_url(issuer).removesuffix("did.json").removesuffix(".well-known/")
        except ValueError:
            return ""
    if issuer.startswith(("http://", "https://")):
        return issuer.rstrip("/") + "/"
    return ""


def _issuer_owns(url: str, issuer: str, what: str) -> None:
    # Compared without the scheme: a did:web resolves over https, and a site serves the
    # same documents over http and https.
    base = _issuer_base(issuer).partition("://")[2]
    if not base or not url.partition("://")[2].startswith(base):
        raise KeyProblem(f"It names a {what} that is not published by its issuer.")


def _ed25519_key(result: Verification, method_id: str, issuer: str) -> Ed25519PublicKey:
    method = _method(result, method_id, issuer)
    try:
        if method.get("publicKeyMultibase"):
            raw = ed25519_from_multikey(str(method["publicKeyMultibase"]))
        else:
            jwk = method.get("publicKeyJwk")
            if not isinstance(jwk, dict) or jwk.get("crv") != "Ed25519":
                raise ValueError
            raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, KeyError, TypeError) as error:
        raise KeyProblem("The key that signed it is not an Ed25519 public key.") from error


def _jwt_key(result: Verification, header: dict, issuer: str):
    kid = str(header.get("kid", ""))
    if not kid:
        raise KeyProblem("The JWT does not name the key that signed it (no kid).")
    if kid.startswith("did:"):
        method = _method(result, kid if "#" in kid else f"{issuer}{kid}", issuer)
        jwk = method.get("publicKeyJwk")
        if not jwk and method.get("publicKeyMultibase"):
            try:
                raw = ed25519_from_multikey(str(method["publicKeyMultibase"]))
            except ValueError as error:
                raise KeyProblem("The key that signed it is not one Leap can read.") from error
            jwk = {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(raw).decode()}
    else:
        if not kid.startswith(("http://", "https://")):
            raise KeyProblem(f"The JWT names its key as “{kid}”, which is not a URL or a DID.")
        _issuer_owns(kid, issuer, "key")
        _status, jwk = result.get_json(kid, what="signing key")
        if "keys" in jwk:  # a key set: the one with this kid
            wanted = kid.split("#")[-1]
            keys = jwk["keys"] if isinstance(jwk["keys"], list) else []
            jwk = next((k for k in keys if isinstance(k, dict) and k.get("kid") == wanted), None)
    if not isinstance(jwk, dict):
        raise KeyProblem("The key that signed it could not be found.")
    try:
        return jwt.PyJWK(jwk, algorithm=header.get("alg")).key
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as error:
        raise KeyProblem("The key that signed it is not a public key Leap can read.") from error


def jwt_verify(result: Verification, token: str) -> None:
    """A VC-JWT: the signature by the key its header names, then the credential inside."""
    result.format = "Open Badges 3.0, VC-JWT"
    result.document = token
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        result.unreadable = "This JWT cannot be read: its header or claims are not JSON."
        return
    credential = claims.get("vc") if isinstance(claims.get("vc"), dict) else claims
    _describe(result, credential)
    if not _structure_ok(result, credential):
        return
    algorithm = header.get("alg")
    if algorithm not in JWT_ALGORITHMS:
        result.failed("Signature", f"It is signed with {algorithm}, which verifiers do not accept.")
        return
    issuer = _issuer_id(credential)
    try:
        key = _jwt_key(result, header, issuer)
        jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
                "verify_sub": False,
                "verify_jti": False,
            },
        )
    except (KeyProblem, FetchError) as error:
        result.failed("Signature", str(error))
        return
    except jwt.PyJWTError:
        result.failed(
            "Signature", "The signature does not match: the credential was changed after signing."
        )
        return
    if claims.get("iss") not in (None, issuer):
        result.failed("Signature", "The JWT's issuer (iss) is not the credential's issuer.")
        return
    result.passed("Signature", f"Signed by its issuer ({_issuer_label(result)}).")
    if "validUntil" not in credential and "expirationDate" not in credential and "exp" in claims:
        credential = {**credential, "validUntil": claims["exp"]}
    _after_signature(result, credential)


# ---- status ----


def status_check(result: Verification, credential: dict) -> None:
    entries = credential.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries] if entries else []
    if not entries:
        result.passed("Status", "It has no status to check: its issuer cannot revoke it.")
        return
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kind = entry.get("type")
        try:
            if kind == "BitstringStatusListEntry":
                _bitstring_check(result, credential, entry)
            elif kind == "1EdTechRevocationList":
                _revocation_list_check(result, credential, entry)
            else:
                result.failed(
                    "Status",
                    f"Its status is of a kind Leap does not read ({kind}), so Leap cannot "
                    "tell whether its issuer has revoked it.",
                )
                return
        except (FetchError, KeyProblem) as error:
            result.failed("Status", f"Leap could not check whether it was revoked: {error}")
            return
        if result.status:
            return
    if not any(check.label == "Status" for check in result.checks):
        result.warning("Status", "Its status could not be read.")


def _bitstring_check(result: Verification, credential: dict, entry: dict) -> None:
    url = str(entry.get("statusListCredential", ""))
    try:
        index = int(entry.get("statusListIndex"))
    except (TypeError, ValueError, OverflowError) as error:
        raise KeyProblem("its status entry has no index.") from error
    _status, status_list = result.get_json(url, what="status list")
    if _issuer_id(status_list) != _issuer_id(credential):
        raise KeyProblem("the status list is not its issuer's.")
    proof = status_list.get("proof") if isinstance(status_list.get("proof"), dict) else {}
    public_key = _ed25519_key(
        result, str(proof.get("verificationMethod", "")), _issuer_id(credential)
    )
    problem = proof_problem(status_list, public_key)
    if problem:
        raise KeyProblem(f"the status list's signature does not hold ({problem})")
    subject = status_list.get("credentialSubject") or {}
    bits = _decoded_bits(str(subject.get("encodedList", "")))
    if index < 0 or index >= len(bits) * 8:
        raise KeyProblem("its place in the status list is outside the list.")
    if bits[index // 8] & (0x80 >> (index % 8)):
        purpose = entry.get("statusPurpose") or subject.get("statusPurpose")
        if purpose == "suspension":
            result.failed("Status", "Its issuer has suspended it.")
            result.status = "revoked"
        else:
            result.revoked()
        return
    result.passed("Status", "Its issuer's signed status list says it is not revoked.")


def _decoded_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise KeyProblem("the status list is not encoded as the specification says.")
    data = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        inflate = zlib.decompressobj(wbits=31)  # gzip
        bits = inflate.decompress(compressed, MAX_STATUS_LIST_BYTES)
    except (ValueError, zlib.error) as error:
        raise KeyProblem("the status list cannot be decoded.") from error
    if inflate.unconsumed_tail:
        raise KeyProblem("the status list is larger than any list Leap reads.")
    return bits


def _revocation_list_check(result: Verification, credential: dict, entry: dict) -> None:
    url = str(entry.get("id", ""))
    _issuer_owns(url, _issuer_id(credential), "revocation list")
    _status, listed = result.get_json(url, what="revocation list")
    revoked = listed.get("revokedCredential") or listed.get("revokedCredentials") or []
    for item in revoked if isinstance(revoked, list) else []:
        if isinstance(item, dict) and item.get("id") == credential.get("id"):
            result.revoked(str(item.get("revocationReason", "")))
            return
    result.passed("Status", "Its issuer's revocation list does not list it.")
