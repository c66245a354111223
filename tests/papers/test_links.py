import pytest

from paperfeed.papers.links import extract_links


@pytest.mark.parametrize(
    ("comment", "code", "project"),
    [
        ("Code: https://github.com/owner/repo.", "https://github.com/owner/repo", ""),
        ("10 pages. Code is available at github.com/owner/my-repo", "https://github.com/owner/my-repo", ""),
        ("Project page: https://someone.github.io/proj/ ; code https://github.com/a/b",
         "https://github.com/a/b", "https://someone.github.io/proj/"),
        ("Accepted at CVPR. Website: https://proj.example.org", "", "https://proj.example.org"),
        ("See \\url{https://github.com/a/b\\_c}", "https://github.com/a/b_c", ""),
        ("Published in https://doi.org/10.1/xyz", "", ""),
        ("Our profile https://github.com/someone", "", ""),
        (None, "", ""),
    ],
)
def test_code_and_project_links_from_comments(comment, code, project):
    links = extract_links(comment)
    assert (links.code_url, links.project_url) == (code, project)


def test_first_text_with_a_link_wins_and_abstract_is_searched_too():
    links = extract_links("12 pages", "We release code at https://gitlab.com/group/tool (MIT).")
    assert links.code_url == "https://gitlab.com/group/tool"
