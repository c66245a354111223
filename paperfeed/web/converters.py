"""URL converter for arXiv ids (new style 2604.01234, old style hep-th/9901001, optional vN).

Registered once here and used by every app's urls that put an id in the path, so
"/papers/hep-th/9901001/" and "/papers/2604.01234v2/" route the same way everywhere.
"""

from __future__ import annotations

from django.urls import register_converter


class ArxivIdConverter:
    regex = r"(?:[A-Za-z]+(?:-[A-Za-z]+)*(?:\.[A-Za-z]{2})?/[0-9]{7}|[0-9]{4}\.[0-9]{4,5})(?:v[0-9]{1,3})?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


_registered = False


def register() -> None:
    global _registered
    if not _registered:
        register_converter(ArxivIdConverter, "arxiv")
        _registered = True
