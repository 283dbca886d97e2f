"""CPR numbers: parsing, validation, birth date, sex and masking (domain.md § 7).

A CPR number is `DDMMYY-SSSS`. The century follows from the 7th digit and the year. The
modulus-11 check is *not* applied: numbers without it have been issued since 2007.
CPR numbers are sensitive: mask them in lists and keep them out of logs and URLs.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

_CPR_RE = re.compile(r"^\s*(\d{6})-?(\d{4})\s*$")
# Anything that looks like a CPR number inside free text (for log masking).
_CPR_IN_TEXT = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})-?(\d{4})(?!\d)")


class InvalidCpr(ValueError):
    """A value that is not a usable CPR number; the message says why, in Danish."""


@dataclass(frozen=True, slots=True)
class Cpr:
    number: str  # ten digits, no hyphen
    birth_date: dt.date
    sex: str  # "M" or "F"

    @property
    def masked(self) -> str:
        return mask(self.number)

    @property
    def formatted(self) -> str:
        return f"{self.number[:6]}-{self.number[6:]}"


def century(yy: int, seventh_digit: int) -> int:
    """The century (1800, 1900 or 2000) of a CPR number's two-digit year."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def parse(value: str, *, today: dt.date | None = None) -> Cpr:
    """Parse `DDMMYYSSSS` or `DDMMYY-SSSS`; raise InvalidCpr with the reason. With `today`, a
    number whose birth date has not come yet (`0101304235`: 7th digit 4, year 30, so 2030) is not a
    citizen's either."""
    match = _CPR_RE.match(value or "")
    if not match:
        raise InvalidCpr("CPR-nummeret skal være 10 cifre (DDMMÅÅ-SSSS)")
    number = match.group(1) + match.group(2)
    day, month, yy = int(number[0:2]), int(number[2:4]), int(number[4:6])
    year = century(yy, int(number[6])) + yy
    try:
        birth_date = dt.date(year, month, day)
    except ValueError:
        raise InvalidCpr(f"CPR-nummeret har ingen gyldig fødselsdato ({number[:2]}-{number[2:4]}-{year})") from None
    if today is not None and birth_date > today:
        raise InvalidCpr(f"CPR-nummerets fødselsdato ({birth_date:%d-%m-%Y}) ligger i fremtiden")
    return Cpr(number=number, birth_date=birth_date, sex="M" if int(number[9]) % 2 else "F")


def normalise(value: str, *, today: dt.date | None = None) -> str:
    """Ten digits without hyphen; raises InvalidCpr."""
    return parse(value, today=today).number


def looks_like_cpr(value: str) -> bool:
    return bool(_CPR_RE.match(value or ""))


def mask(number: str) -> str:
    """`DDMMYY-xxxx`: enough to tell people apart in a list, not enough to identify."""
    digits = (number or "").replace("-", "")
    return f"{digits[:6]}-xxxx" if len(digits) == 10 else "xxxxxx-xxxx"


def mask_in_text(text: str) -> str:
    return _CPR_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}-xxxx", text)


class CprMaskingFilter(logging.Filter):
    """Logging filter: masks anything shaped like a CPR number in the message and its args."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = record.getMessage()
            except Exception:  # a broken format string is the caller's problem; keep the record
                record.msg = str(record.msg)
            record.args = None
        record.msg = mask_in_text(str(record.msg))
        return True
