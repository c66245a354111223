"""Loads the bundled sample (placeholder until the sample files land)."""

from __future__ import annotations


def load_sample(progress: bool = True, console=None) -> dict:
    return {}
