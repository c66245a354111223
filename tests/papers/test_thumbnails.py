"""Thumbnail storage (papers/thumbnails.py) and first-page rendering (papers/pdfpages.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from paperfeed.papers.pdfpages import NotAPdf, first_page_webp
from paperfeed.papers.thumbnails import LocalThumbnails, key_for, storage
from tests.support.pdfs import two_colour_pdf


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_first_page_is_rendered_to_a_page_shaped_webp():
    image = _image(first_page_webp(two_colour_pdf(), 200))
    assert image.format == "WEBP"
    assert image.size == (200, round(200 * 792 / 612))
    red, blue = image.convert("RGB").getpixel((100, 20)), image.convert("RGB").getpixel((100, image.height - 20))
    assert red[0] > 180 and red[2] < 80, red
    assert blue[2] > 180 and blue[0] < 80, blue


def test_width_follows_the_request_for_any_page_shape():
    image = _image(first_page_webp(two_colour_pdf((842, 595)), 320))  # A4 landscape
    assert image.size == (320, round(320 * 595 / 842))


@pytest.mark.parametrize("data", [b"", b"<html>not a pdf</html>", two_colour_pdf()[:200]])
def test_what_is_not_a_pdf_is_refused_with_a_reason(data):
    with pytest.raises(NotAPdf, match="PDFium|pages"):
        first_page_webp(data, 200)


def test_keys_group_by_prefix_and_keep_old_style_ids_in_one_file():
    assert key_for("2604.01234") == "2604/2604.01234.webp"
    assert key_for("hep-th/9901001") == "hep-th_9/hep-th_9901001.webp"


def test_local_storage_round_trip_with_validators(tmp_path):
    store = LocalThumbnails(tmp_path)
    store.save("2604/2604.01234.webp", b"one")
    first = store.load("2604/2604.01234.webp")
    assert first.data == b"one" and first.content_type == "image/webp"
    store.save("2604/2604.01234.webp", b"two")
    second = store.load("2604/2604.01234.webp")
    assert second.data == b"two" and second.etag != first.etag
    assert not [p for p in (tmp_path / "2604").iterdir() if p.name.startswith(".tmp-")]
    assert store.load("2604/missing.webp") is None


def test_keys_cannot_leave_the_thumbnail_directory(tmp_path):
    store = LocalThumbnails(tmp_path / "thumbs")
    (tmp_path / "secret").write_bytes(b"private")
    assert store.load("../secret") is None
    with pytest.raises(ValueError, match="outside"):
        store.save("../../escape.webp", b"x")


def test_the_configured_storage_is_the_data_dir_one(settings, tmp_path):
    settings.THUMBNAIL_DIR = tmp_path / "t"
    storage().save("a/b.webp", b"x")
    assert (tmp_path / "t" / "a" / "b.webp").read_bytes() == b"x"
