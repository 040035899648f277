"""Multibase base58-btc ("z…") and Multikey Ed25519 public keys, as Data Integrity proofs
and DID documents write them."""

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# The multicodec prefix of an Ed25519 public key (0xed, varint-encoded).
ED25519_PUBLIC_PREFIX = bytes([0xED, 0x01])


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        value = BASE58_ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"“{char}” is not a base58 digit.")
        number = number * 58 + value
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    leading_zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * leading_zeros + body


def multibase_encode(data: bytes) -> str:
    return "z" + base58btc_encode(data)


def multibase_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("Only base58-btc multibase values (starting with “z”) are read.")
    return base58btc_decode(text[1:])


def ed25519_multikey(public_key_bytes: bytes) -> str:
    """A 32-byte Ed25519 public key as a Multikey `publicKeyMultibase` ("z6Mk…")."""
    return multibase_encode(ED25519_PUBLIC_PREFIX + public_key_bytes)


def ed25519_from_multikey(text: str) -> bytes:
    data = multibase_decode(text)
    if not data.startswith(ED25519_PUBLIC_PREFIX) or len(data) != 34:
        raise ValueError("Not an Ed25519 Multikey public key.")
    return data[2:]
