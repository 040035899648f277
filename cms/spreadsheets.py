"""Values for CSV files people open in spreadsheets (shared by every app's exports)."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A value a spreadsheet shows as text: a leading = + - @ would otherwise make a
    formula out of an e-mail address, a title or a revocation reason."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
