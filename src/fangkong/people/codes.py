"""A person's own code (采样码): what the QR on a resident's household page carries, shown to a
sampler whose phone reads it. Signed, so a code typed or printed by anyone else names nobody;
it holds no name or document number."""

from __future__ import annotations

from django.core import signing

SALT = "fangkong.people.person-code"
PREFIX = "FK1."  # tells a person's code from a tube barcode or an address at a glance


def person_code(person_id: int) -> str:
    """The code of a person, stable for the secret key."""
    return PREFIX + signing.Signer(salt=SALT).sign_object(person_id)


def person_of_code(text: str) -> int | None:
    """The person a code names, or None when it is not one of ours."""
    text = (text or "").strip()
    if not text.startswith(PREFIX):
        return None
    try:
        value = signing.Signer(salt=SALT).unsign_object(text[len(PREFIX) :])
    except (signing.BadSignature, ValueError):
        return None
    return value if isinstance(value, int) and value > 0 else None
