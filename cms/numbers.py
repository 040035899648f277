"""Numbers as the templates show them, worked out in Python for long tables: a report of
hundreds of rows spent most of its rendering putting each number through Django's
localization (`floatformat`, and `number_format` for every integer). Leap's numbers are
shown unlocalized (en-us, no thousands separator), so the text is the same."""

from decimal import ROUND_HALF_UP, Decimal


def float_text(value: float, places: int) -> str:
    """`value|floatformat:places`: rounded half up from the number as Python writes it, to
    `places` decimals; a negative `places` drops the decimals of a whole number (80.0 is
    "80", 80.04 is "80.0"). No minus sign on a number that rounds to zero. For finite
    numbers of an ordinary size, as reports have (floatformat also takes infinities)."""
    number = Decimal(repr(float(value)))
    if places <= 0 and number == int(number):
        return str(int(number))
    rounded = number.quantize(Decimal(1).scaleb(-abs(places)), ROUND_HALF_UP)
    return str(rounded if rounded else rounded.copy_abs())


def percent_text(value: float | None) -> str:
    """A percentage as the reports show it (`{{ value|floatformat:"-1" }}%`), or a dash."""
    return "—" if value is None else f"{float_text(value, -1)}%"


def places_text(value: float | None, places: int) -> str:
    """`value|floatformat:places`, or a dash for no value."""
    return "—" if value is None else float_text(value, places)
