"""Identity numbers of children: keyed hash for duplicate detection, encrypted copy, masked display.

The clear number is never stored in a column. The keyed hash (HMAC-SHA256 with settings.PII_KEY)
finds the same child across institutions without revealing who holds the record; the Fernet copy
lets the child's own institution read the full number one record at a time (each read is audited);
the mask is what every list shows.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.validators import validate_resident_id

RESIDENT_ID = "resident_id"


def normalise(number: str) -> str:
    return (number or "").strip().upper().replace(" ", "")


@lru_cache(maxsize=4)
def _hash_key(pii_key: str) -> bytes:
    return hashlib.sha256(b"tuoyu-identity-hash:" + pii_key.encode()).digest()


def _fernet_key(pii_key: str) -> bytes:
    # A key derived from PII_KEY, distinct from the hash key, so neither can be computed from the other.
    return hashlib.sha256(b"tuoyu-identity-fernet:" + pii_key.encode()).digest()


@lru_cache(maxsize=4)
def _fernet(pii_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_fernet_key(pii_key)))


@lru_cache(maxsize=4)
def _keyed_hash(pii_key: str):
    return hmac.new(_hash_key(pii_key), digestmod=hashlib.sha256)


def identity_hash(document_type: str, number: str) -> str:
    """The same child gets the same hash in every institution; without PII_KEY it cannot be reversed."""
    mac = _keyed_hash(settings.PII_KEY).copy()  # the key set up once, not for each of an import's rows
    mac.update(f"{document_type}:{normalise(number)}".encode())
    return mac.hexdigest()


def encrypt(number: str) -> str:
    return _fernet(settings.PII_KEY).encrypt(normalise(number).encode()).decode()


def encrypt_many(numbers: list[str]) -> list[str]:
    """Fernet tokens of many identity numbers, the same as encrypt() of each: a fresh random IV per token,
    AES-128-CBC, HMAC-SHA256, one timestamp (now). Faster for an import of tens of thousands because the
    AES work is done a whole column at a time.

    CBC is C1 = AES(P1 xor IV), C2 = AES(P2 xor C1), ...: so block k of every token is one ECB call over
    the blocks k of all tokens, each xored with its own IV or previous cipher block first. The output is
    what Fernet's encrypt() would give with these IVs; decrypt() reads it.
    """
    import os
    import time

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if not numbers:
        return []
    key = _fernet_key(settings.PII_KEY)
    signing, encryption = key[:16], key[16:]
    padded = []
    for number in numbers:
        data = normalise(number).encode()
        pad = 16 - len(data) % 16  # PKCS7, as Fernet pads
        padded.append(data + bytes([pad]) * pad)
    ivs = os.urandom(16 * len(numbers))
    previous = [ivs[i * 16:i * 16 + 16] for i in range(len(numbers))]
    ciphers = [b""] * len(numbers)
    ecb = Cipher(algorithms.AES(encryption), modes.ECB()).encryptor()  # noqa: S305 - CBC chained by hand, above
    for k in range(max(len(p) for p in padded) // 16):
        which = [i for i, p in enumerate(padded) if len(p) > k * 16]
        plain = b"".join(padded[i][k * 16:k * 16 + 16] for i in which)
        chain = b"".join(previous[i] for i in which)
        mixed = (int.from_bytes(plain, "big") ^ int.from_bytes(chain, "big")).to_bytes(len(plain), "big")
        out = ecb.update(mixed)
        for n, i in enumerate(which):
            block = out[n * 16:n * 16 + 16]
            ciphers[i] += block
            previous[i] = block
    head = b"\x80" + int(time.time()).to_bytes(8, "big")
    keyed = hmac.new(signing, digestmod=hashlib.sha256)  # copied per token: the key is set up once
    tokens = []
    for i, cipher in enumerate(ciphers):
        body = head + ivs[i * 16:i * 16 + 16] + cipher
        mac = keyed.copy()
        mac.update(body)
        tokens.append(base64.urlsafe_b64encode(body + mac.digest()).decode())
    return tokens


def encrypt_synthetic(numbers: list[str], *, iv: bytes, timestamp: int) -> list[str]:
    """Fernet tokens of many synthetic identity numbers (the demo's), in one AES-CBC pass: ordinary tokens
    that decrypt() reads, several times faster than encrypt() one by one.

    Each token's IV is the previous token's last cipher block (CBC chaining), so IVs are predictable and
    equal numbers are told apart only by position: acceptable for invented numbers, never for real ones,
    which go through encrypt(). With the same `iv` and `timestamp` the output is the same (a
    deterministic demo).
    """
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = _fernet_key(settings.PII_KEY)
    signing, encryption = key[:16], key[16:]
    blocks = []
    for number in numbers:
        data = normalise(number).encode()
        pad = 16 - len(data) % 16  # PKCS7, as Fernet pads
        blocks.append(data + bytes([pad]) * pad)
    encryptor = Cipher(algorithms.AES(encryption), modes.CBC(iv)).encryptor()
    stream = encryptor.update(b"".join(blocks)) + encryptor.finalize()
    head = b"\x80" + timestamp.to_bytes(8, "big")
    tokens = []
    offset = 0
    previous = iv
    for block in blocks:
        cipher = stream[offset:offset + len(block)]
        offset += len(block)
        body = head + previous + cipher
        tokens.append(base64.urlsafe_b64encode(body + hmac.new(signing, body, hashlib.sha256).digest()).decode())
        previous = cipher[-16:]
    return tokens


def decrypt(token: str) -> str:
    return _fernet(settings.PII_KEY).decrypt(token.encode()).decode()


def mask(number: str) -> str:
    """1301**********123X for an 18-character ID; first and last two characters otherwise."""
    number = normalise(number)
    if len(number) == 18:
        return number[:4] + "*" * 10 + number[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


def birth_date_in_resident_id(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check_resident_id(number: str, date_of_birth: datetime.date | None, sex: str | None = None) -> list[str]:
    """Messages for everything wrong with a resident ID given the child's birth date and sex."""
    number = normalise(number)
    try:
        validate_resident_id(number)
    except ValidationError as exc:
        return [str(m) for m in exc.messages]
    problems = []
    born = birth_date_in_resident_id(number)
    if born is None:
        problems.append(_("Digits 7 to 14 of the identity number are not a valid date of birth."))
    elif date_of_birth and born != date_of_birth:
        problems.append(_("The identity number gives the date of birth %(id_date)s, but %(given)s was entered.")
                        % {"id_date": born.isoformat(), "given": date_of_birth.isoformat()})
    if sex in ("male", "female"):
        id_sex = "male" if int(number[16]) % 2 else "female"
        if id_sex != sex:
            problems.append(_("The 17th digit of the identity number does not match the sex entered "
                              "(odd for boys, even for girls)."))
    return problems
