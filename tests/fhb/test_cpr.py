import datetime as dt
import logging

import pytest

from fhb import cpr


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("0101491234", dt.date(1949, 1, 1), "F"),
        ("010149-1235", dt.date(1949, 1, 1), "M"),
        ("3112993999", dt.date(1999, 12, 31), "M"),  # 7th digit 0-3: always 1900s
        ("0101364000", dt.date(2036, 1, 1), "F"),  # 4: 2000s when YY <= 36
        ("0101374000", dt.date(1937, 1, 1), "F"),  # 4: 1900s when YY > 36
        ("0101369000", dt.date(2036, 1, 1), "F"),  # 9 like 4
        ("0101379000", dt.date(1937, 1, 1), "F"),
        ("0101575000", dt.date(2057, 1, 1), "F"),  # 5-8: 2000s when YY <= 57
        ("0101585000", dt.date(1858, 1, 1), "F"),  # 5-8: 1800s when YY > 57
        ("2902608001", dt.date(1860, 2, 29), "M"),  # leap day in the 1800s
        ("2902400000", dt.date(1940, 2, 29), "F"),
        (" 170546-1234 ", dt.date(1946, 5, 17), "F"),
    ],
)
def test_parse_century_birth_date_and_sex(number, birth, sex):
    parsed = cpr.parse(number)
    assert parsed.birth_date == birth
    assert parsed.sex == sex
    assert len(parsed.number) == 10 and parsed.number.isdigit()


def test_modulus_11_is_not_required():
    # 0101491235 fails the old modulus-11 check; it must still be accepted.
    weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]
    assert sum(int(d) * w for d, w in zip("0101491235", weights, strict=False)) % 11 != 0
    assert cpr.parse("0101491235").number == "0101491235"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "10 cifre"),
        ("12345", "10 cifre"),
        ("01014912345", "10 cifre"),
        ("0101-491234", "10 cifre"),
        ("abcdefghij", "10 cifre"),
        ("3102491234", "fødselsdato"),  # 31 February
        ("2902491234", "fødselsdato"),  # 1949 is not a leap year
        ("0113491234", "fødselsdato"),  # month 13
    ],
)
def test_invalid_numbers_say_why(value, reason):
    with pytest.raises(cpr.InvalidCpr, match=reason):
        cpr.parse(value)


def test_mask_and_format():
    assert cpr.mask("0101491234") == "010149-xxxx"
    assert cpr.mask("010149-1234") == "010149-xxxx"
    assert cpr.mask("bad") == "xxxxxx-xxxx"
    assert cpr.parse("0101491234").formatted == "010149-1234"


def test_masking_filter_removes_cpr_from_log_records(caplog):
    logger = logging.getLogger("fhb.test")
    logger.addFilter(cpr.CprMaskingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="fhb.test"):
            logger.info("looked up %s and 010149-1234 in 2026-01-01", "0101491234")
    finally:
        logger.filters.clear()
    assert "1234" not in caplog.text
    assert caplog.text.count("010149-xxxx") == 2
    assert "2026-01-01" in caplog.text  # dates are not CPR numbers
