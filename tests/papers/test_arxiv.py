import pytest

from paperfeed.papers.arxiv import ArxivId, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2503.11731", ArxivId("2503.11731")),
        ("arXiv:2503.11731v2", ArxivId("2503.11731", 2)),
        ("ARXIV: 2503.11731", ArxivId("2503.11731")),
        ("https://arxiv.org/abs/2503.11731", ArxivId("2503.11731")),
        ("https://arxiv.org/abs/2503.11731v3", ArxivId("2503.11731", 3)),
        ("http://arxiv.org/pdf/2503.11731v1.pdf", ArxivId("2503.11731", 1)),
        ("arxiv.org/pdf/2503.11731", ArxivId("2503.11731")),
        ("https://export.arxiv.org/abs/1401.2122", ArxivId("1401.2122")),
        ("https://arxiv.org/html/2503.11731v2", ArxivId("2503.11731", 2)),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
        ("math.GT/0309136", ArxivId("math.GT/0309136")),
        ("https://arxiv.org/abs/astro-ph/0601001", ArxivId("astro-ph/0601001")),
        ("0704.0001", ArxivId("0704.0001")),
        ("  2503.11731  ", ArxivId("2503.11731")),
    ],
)
def test_parses_every_common_form(text, expected):
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "abc", "2513.11731", "1503.1173", "0704.00001", "2503.11731 diffusion", "https://example.com/abs/2503.11731",
     "x" * 1000, "hep-th/990100", "SELECT * FROM papers", "<script>2503.11731</script>"],
)
def test_rejects_non_ids(text):
    assert parse_arxiv_id(text) is None
