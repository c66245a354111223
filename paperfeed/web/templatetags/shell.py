"""The parts of ``base.html`` that are the same on every page: asset URLs and the navigation's URLs.

Why: every page renders ``base.html``, and its eight ``{% static %}`` and six ``{% url %}`` tags
gave the same strings on every request while costing about a third of the shell's rendering
(manifest lookups, URL reversals). They are computed once per process here. URL reversal depends
on the script prefix (a deployment under a sub-path), so both are kept per prefix.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse

register = template.Library()

# The navigation's links: name in the template -> URL name, with the path used if it is not routed.
NAV = {"home": ("home", "/"), "trending": ("trending", "/trending/"), "map": ("field_map", "/map/"),
       "submit": ("submit", "/submit/"), "for_you": ("digests:for_you", "/for-you/"),
       "subscribe": ("digests:subscribe", "/subscribe/")}


@lru_cache(maxsize=256)
def _asset(path: str, prefix: str) -> str:
    return static(path)


@register.simple_tag
def asset(path: str) -> str:
    """``{% static path %}``, once per process and script prefix (a relative STATIC_URL follows it)."""
    return _asset(path, get_script_prefix())


@lru_cache(maxsize=8)
def _nav(prefix: str) -> dict[str, str]:
    out = {}
    for key, (name, fallback) in NAV.items():
        try:
            out[key] = reverse(name)
        except NoReverseMatch:
            out[key] = prefix.rstrip("/") + fallback
    return out


@register.simple_tag
def nav_urls() -> dict[str, str]:
    """The navigation's URLs under this request's script prefix."""
    return _nav(get_script_prefix())
