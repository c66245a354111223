"""PDFs the tests make themselves (Pillow writes a one-page PDF from an image), and a server for them.

Each test PDF is one page split into a red top half and a blue bottom half, so a rendered
thumbnail can be checked by its pixels: red above, blue below, page-shaped.
"""

from __future__ import annotations

import io
import re

from PIL import Image

from tests.support.servers import Response

PAGE = (612, 792)  # US Letter in points, at 72 dpi one pixel per point


def two_colour_pdf(size: tuple[int, int] = PAGE) -> bytes:
    width, height = size
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 40, 220), (0, height // 2, width, height))
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=72.0)
    return out.getvalue()


class PdfServer:
    """Responder for LocalServer that answers ``/pdf/<id>`` (with or without ``vN``) from ``files``.

    ``files`` maps an arXiv id (no version) to the bytes to serve; anything else is a 404.
    """

    def __init__(self, files: dict[str, bytes] | None = None):
        self.files = dict(files or {})

    def __call__(self, path: str, params: dict[str, str]) -> Response:
        body = self.files.get(re.sub(r"v\d+$", "", path.removeprefix("/pdf/")))
        if body is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return 200, {"Content-Type": "application/pdf"}, body
