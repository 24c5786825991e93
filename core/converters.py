"""The path converter of every id in a URL: 1 to 18 digits, so that a number past what the
database's ids hold (2⁶³ − 1) is a page that does not exist (404), not an overflow (500)."""

ID_PATTERN = "[0-9]{1,18}"


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
