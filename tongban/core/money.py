"""Money is integer fen (分), never float."""


def yuan(fen: int) -> str:
    """`12345` → `"123.45"`: exact, whatever the amount."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
