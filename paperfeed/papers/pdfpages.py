"""A PDF's first page as a small WebP image, rendered with pypdfium2 (PDFium ships in its wheel).

Rendering happens in the worker only; a PDF PDFium cannot open raises :class:`NotAPdf` with
PDFium's reason, so the worker records a failed try instead of crashing the run.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image

WEBP_QUALITY = 80
# Rendered at twice the size and scaled down: small text stays legible at thumbnail size.
SUPERSAMPLE = 2


class NotAPdf(ValueError):
    """The bytes are not a PDF PDFium can render (or it has no pages)."""


def first_page_webp(pdf: bytes, width: int) -> bytes:
    """Page 1 scaled to ``width`` pixels wide (height by the page's shape), white behind, as WebP bytes."""
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as error:
        raise NotAPdf(f"PDFium cannot open it: {error}") from None
    try:
        if len(document) == 0:
            raise NotAPdf("the PDF has no pages")
        page = document[0]
        page_width, page_height = page.get_size()
        if page_width <= 0 or page_height <= 0:
            raise NotAPdf(f"page 1 has no area ({page_width}×{page_height} pt)")
        scale = SUPERSAMPLE * width / page_width
        rendered = page.render(scale=scale, fill_color=(255, 255, 255, 255)).to_pil().convert("RGB")
    finally:
        document.close()
    height = max(1, round(width * page_height / page_width))
    image = rendered.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()
