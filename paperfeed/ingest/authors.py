"""Author lists as arXiv writes them in its metadata ("A, B and C"); no Django, so scripts can use it."""

from __future__ import annotations


def split_authors(text: str) -> list[str]:
    """arXiv's author string as a list of names (used when ``authors_parsed`` is absent)."""
    text = " ".join(text.split())
    if not text:
        return []
    names: list[str] = []
    for part in text.split(", "):
        part = part.removeprefix("and ")  # the Oxford comma: "A, B, and C"
        names.extend(p for p in part.split(" and ") if p)
    return [n.strip() for n in names if n.strip()]


def parsed_authors(parsed: list) -> list[str]:
    """The snapshot's ``authors_parsed`` ([last, first, suffix] each) as display names."""
    names = []
    for entry in parsed:
        if isinstance(entry, list):
            last, first, suffix = (list(entry) + ["", "", ""])[:3]
        else:
            last, first, suffix = str(entry), "", ""
        name = " ".join(str(p) for p in (first, last, suffix) if p)
        if name:
            names.append(name)
    return names
