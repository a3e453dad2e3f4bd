"""Check characters of national identifiers, with messages that say what is wrong."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 31 characters (no I, O, Z, S, V), weights 3^i mod 31.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

# GB 11643-1999: the resident identity number's check character.
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Unified social credit code (统一社会信用代码), 18 characters with a check character."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_code_length", params={"n": len(code)})
    bad = sorted({c for c in code if c not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("The unified social credit code contains characters that are not allowed: %(chars)s "
              "(I, O, Z, S and V are never used)."),
            code="credit_code_characters", params={"chars": " ".join(bad)})
    if not code[2:8].isdigit():
        raise ValidationError(_("Characters 3 to 8 of the unified social credit code must be the division code "
                                "(six digits)."), code="credit_code_division")
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of the unified social credit code is wrong: the last character should be "
              "%(expected)s, not %(actual)s. Please check the code on the business licence."),
            code="credit_code_check", params={"expected": expected, "actual": code[17]})


def resident_id_check_character(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value: str) -> None:
    """18-character resident identity number with its check character (GB 11643)."""
    number = (value or "").strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise ValidationError(_("A resident identity number has 17 digits and a final digit or X."),
                              code="resident_id_format")
    expected = resident_id_check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check digit of the identity number is wrong: it should end in %(expected)s."),
            code="resident_id_check", params={"expected": expected})
