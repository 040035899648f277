"""Data Integrity proofs (cryptosuite eddsa-rdfc-2022) on Open Badges 3.0 credentials:
what the Digital Credentials Consortium's verifier and Learner Credential Wallet check, and
what the 1EdTech certification lists beside a VC-JWT.

The credential and the proof options are each canonicalised as RDF (RDFC-1.0, which pyld
implements as URDNA2015) and hashed with SHA-256; the Ed25519 signature covers the proof
hash followed by the document hash, and goes in `proofValue` as base58-btc multibase.

JSON-LD contexts come only from the copies bundled in `contexts/`: nothing is fetched, at
signing or at verifying, so a context is never a way in and the canonical form cannot change
under Leap's feet. A document naming any other context is refused."""

import hashlib
import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from credentials.openbadges.multibase import multibase_decode, multibase_encode

CRYPTOSUITE = "eddsa-rdfc-2022"
CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
# Each context Leap reads, by the URL documents name it with.
BUNDLED_CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-3.0.3.jsonld",
    # 1EdTech's types outside the OB context: 1EdTechRevocationList,
    # 1EdTechJsonSchemaValidator2019, 1EdTechCredentialRefresh.
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-3.0-extensions.jsonld",
}


class ContextNotBundled(ValueError):
    pass


def _context_documents() -> dict[str, dict]:
    return {
        url: json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))
        for url, name in BUNDLED_CONTEXTS.items()
    }


_DOCUMENTS = _context_documents()


def document_loader(url: str, options=None) -> dict:
    """pyld's document loader: bundled contexts only, never the network."""
    document = _DOCUMENTS.get(url)
    if document is None:
        raise ContextNotBundled(f"The JSON-LD context {url} is not one Leap reads.")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


class NotCanonicalisable(ValueError):
    pass


class TermNotDefined(NotCanonicalisable):
    pass


def _refuse_dropped(term) -> None:
    # JSON-LD drops a property no context defines, so it would stay outside the signature:
    # anyone could add it to a signed credential unnoticed. Such a document is refused.
    raise TermNotDefined(
        f"“{term}” is defined by none of the document's contexts, so it would not be signed."
    )


def canonical(document: dict) -> str:
    """The document's RDF dataset as canonical N-Quads (RDFC-1.0). Raises ContextNotBundled
    for a context Leap does not hold, TermNotDefined for a property or type no context
    defines (as the DCC verifier's safe mode does), and NotCanonicalisable for anything else
    JSON-LD refuses."""
    options = {"documentLoader": document_loader}
    try:
        processor = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped)
        expanded = processor.expand(document, dict(options))
        _refuse_relative_types(expanded)
        return processor.normalize(
            expanded,
            {**options, "algorithm": "URDNA2015", "format": "application/n-quads"},
        )
    except jsonld.JsonLdError as error:
        cause = error
        while cause is not None:
            if isinstance(cause, (ContextNotBundled, NotCanonicalisable)):
                raise cause from error
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise NotCanonicalisable(f"Not a JSON-LD document Leap can read: {error}") from error


def _refuse_relative_types(node) -> None:
    """A type no context defines is a relative reference: pyld resolves it against its
    placeholder base (DEFAULT_BASE_IRI), so it would be signed as a meaningless IRI, and
    strict verifiers refuse it."""
    if isinstance(node, list):
        for item in node:
            _refuse_relative_types(item)
    elif isinstance(node, dict):
        for kind in node.get("@type", []) if isinstance(node.get("@type"), list) else []:
            if ":" not in kind or kind.startswith(jsonld.DEFAULT_BASE_IRI):
                kind = kind.removeprefix(jsonld.DEFAULT_BASE_IRI)
                raise TermNotDefined(
                    f"The type “{kind}” is defined by none of the document's contexts, so it "
                    "would not be signed."
                )
        for key, value in node.items():
            if key != "@type":
                _refuse_relative_types(value)


def hash_data(document: dict, proof_options: dict) -> bytes:
    """What the signature covers: SHA-256 of the canonical proof options (read with the
    document's contexts), then SHA-256 of the canonical document without its proof."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof_options.items() if key != "proofValue"}
    options["@context"] = document["@context"]
    proof_hash = hashlib.sha256(canonical(options).encode()).digest()
    document_hash = hashlib.sha256(canonical(unsecured).encode()).digest()
    return proof_hash + document_hash


def proof_create(
    document: dict, *, private_key: Ed25519PrivateKey, verification_method: str, created: str
) -> dict:
    """A DataIntegrityProof for the document (returned, not added)."""
    options = {
        "type": "DataIntegrityProof",
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(hash_data(document, options))
    return {**options, "proofValue": multibase_encode(signature)}


def proof_verify(document: dict, public_key: Ed25519PublicKey) -> bool:
    """Whether the document's proof is an eddsa-rdfc-2022 signature by this key over it."""
    return proof_problem(document, public_key) is None


def proof_problem(document: dict, public_key: Ed25519PublicKey) -> str | None:
    """Why the document's proof is not an eddsa-rdfc-2022 signature by this key over it, in
    plain words; None when it is."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        return "It carries no single proof object."
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return f"Its proof is not a DataIntegrityProof with the {CRYPTOSUITE} cryptosuite."
    try:
        signature = multibase_decode(str(proof.get("proofValue", "")))
    except ValueError:
        return "Its proof value is not base58-btc multibase."
    try:
        signed = hash_data(document, proof)
    except ContextNotBundled as error:
        return f"{error} Leap checks proofs only over the contexts it holds."
    except NotCanonicalisable as error:
        return str(error)
    try:
        public_key.verify(signature, signed)
    except InvalidSignature:
        return "The signature does not match: the credential was changed after it was signed."
    return None
