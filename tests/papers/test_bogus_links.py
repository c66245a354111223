"""links.is_bogus_project: "project pages" that only lead back to the paper."""

from __future__ import annotations

import pytest

from paperfeed.papers.links import is_bogus_project


@pytest.mark.parametrize("url", [
    "https://arxiv.org/abs/2604.09212",
    "https://arxiv.org/pdf/2605.11518",
    "http://export.arxiv.org/abs/2604.09212v2",
    "https://arxiv.org/html/2604.00917v1",
    "https://huggingface.co/papers/2605.17242",
    "https://paperswithcode.com/paper/some-title",
    "https://www.alphaxiv.org/overview/2604.09212",
    "https://example.org/files/2604.09212v1.pdf",
])
def test_pages_about_a_paper_are_bogus(url):
    assert is_bogus_project(url, "2604.09212")


@pytest.mark.parametrize("url", [
    "https://kehanlu.github.io/AKB",
    "https://qwen-pilot.notion.site/fipo",
    "https://huggingface.co/spaces/org/demo",
    "https://example.org/2604.09213",  # another paper's id is not this paper
    "",
    None,
])
def test_real_project_pages_are_kept(url):
    assert not is_bogus_project(url, "2604.09212")
