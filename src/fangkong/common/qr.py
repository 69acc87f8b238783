"""QR codes drawn as inline SVG (segno): nothing to fetch, prints sharp."""

from __future__ import annotations

import io


def qr_svg(text: str, *, scale: int = 6) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()
