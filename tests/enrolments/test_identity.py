import datetime

import pytest

from enrolments import identity
from enrolments.models import Child
from portal.validators import resident_id_check_character

from .helpers import resident_id


def test_check_digit_follows_gb_11643():
    # The worked example of GB 11643-1999.
    assert resident_id_check_character("11010519491231002") == "X"


def test_wrong_check_digit_is_refused_with_the_right_one_named():
    number = resident_id(datetime.date(2024, 3, 5))
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    problems = identity.check_resident_id(wrong, datetime.date(2024, 3, 5))
    assert problems and number[17] in problems[0]


def test_birth_date_in_number_must_match_the_date_of_birth():
    number = resident_id(datetime.date(2024, 3, 5))
    assert identity.check_resident_id(number, datetime.date(2024, 3, 5)) == []
    problems = identity.check_resident_id(number, datetime.date(2024, 3, 6))
    assert "2024-03-05" in problems[0]


def test_sex_digit_must_match():
    number = resident_id(datetime.date(2024, 3, 5), sex="female")
    assert identity.check_resident_id(number, datetime.date(2024, 3, 5), "female") == []
    assert identity.check_resident_id(number, datetime.date(2024, 3, 5), "male")


def test_mask_shows_first_four_and_last_four():
    assert identity.mask("13010220240305123X") == "1301**********123X"


def test_hash_is_keyed_and_the_clear_number_is_in_no_column(register, settings):
    child = register("李小明", 26)
    number = child.document_number()
    assert len(number) == 18
    row = Child.objects.filter(pk=child.pk).values().get()
    assert all(number not in str(v) for v in row.values())
    assert row["document_masked"] == identity.mask(number)
    assert row["document_hash"] == identity.identity_hash("resident_id", number)
    settings.PII_KEY = "another-key"
    assert identity.identity_hash("resident_id", number) != row["document_hash"]


@pytest.mark.django_db
def test_registering_the_same_number_twice_in_one_institution_is_refused(register):
    from django.core.exceptions import ValidationError

    child = register("李小明", 26)
    with pytest.raises(ValidationError, match="already registered"):
        register("李小明", 26, number=child.document_number())


def test_encrypt_many_gives_each_number_its_own_token_that_decrypt_reads():
    numbers = [resident_id(datetime.date(2024, 5, 1), seq=7)] * 3 + ["E12345678", "AB1234567890123456789012345678"]
    tokens = identity.encrypt_many(numbers)
    assert [identity.decrypt(token) for token in tokens] == [identity.normalise(n) for n in numbers]
    # A fresh random IV per token: the same number three times gives three different tokens.
    import base64

    ivs = {base64.urlsafe_b64decode(token)[9:25] for token in tokens}
    assert len(set(tokens)) == len(ivs) == len(numbers)
    assert identity.encrypt_many([]) == []
