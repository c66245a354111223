"""Comment bodies are rendered escaped: hostile Markdown, HTML and LaTeX never become markup."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from paperfeed.discussions.markup import to_html

HOSTILE = [
    '<script>alert("x")</script>',
    '<img src=x onerror=alert(1)>',
    '"><svg onload=alert(1)>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](https://evil.example/track.png)",
    "<a href='javascript:alert(1)'>x</a>",
    "$\\href{javascript:alert(1)}{x}$ and $<img src=x onerror=alert(2)>$",
    "$$\n</div><script>alert(3)</script>\n$$",
    "`<b>code</b>` and\n\n```\n<script>alert(4)</script>\n```",
    "<style>body{display:none}</style><iframe src=//evil.example></iframe>",
]


def _tree(markup: str):
    return lxml_html.fragment_fromstring(markup, create_parent="div")


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_stays_text(source):
    tree = _tree(to_html(source))
    tags = {el.tag for el in tree.iter() if isinstance(el.tag, str)}
    assert not tags & {"script", "img", "svg", "iframe", "style", "object", "embed"}
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert not [name for name in el.attrib if name.startswith("on")], (source, el.attrib)
        assert "style" not in el.attrib
        href = el.attrib.get("href", "")
        assert not href or href.startswith(("http://", "https://", "mailto:")), (source, href)


def test_markdown_and_math_render():
    tree = _tree(to_html("**bold** and [a link](https://example.org), $a_1 < b_2$ and\n\n$$\\frac{x}{2}$$"))
    assert tree.find(".//strong").text == "bold"
    link = tree.find(".//a")
    assert link.attrib["href"] == "https://example.org"
    assert set(link.attrib["rel"].split()) >= {"nofollow", "ugc", "noopener"}
    math = [el.text_content() for el in tree.iter() if "math" in el.attrib.get("class", "").split()]
    # The underscores stayed math (no emphasis) and < stayed a character for KaTeX to typeset.
    assert math == ["\\(a_1 < b_2\\)", "\n\\[\\frac{x}{2}\\]\n"]
    assert tree.find(".//em") is None


def test_script_text_survives_as_text():
    tree = _tree(to_html('<script>alert("x")</script>'))
    assert '<script>alert("x")</script>' in tree.text_content()
