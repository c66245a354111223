"""A local HTTP server that answers like export.arxiv.org/api/query, from recorded responses.

Responses are derived from tests/fixtures/arxiv-formats: the recorded 2026 id_list answer
for 1707.08567 is served as is, and again with its id rewritten to a new-style 2026 id
(NEW_ID) so a submission of a "today" paper can be tested; every other id gets the recorded
empty answer, which is how arXiv says "no such paper". A list of ids (``id_list=a,b,c``, as the
worker asks for queued papers) gets one feed with the entries of the known ones.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.servers import Response

RECORDED_ID = "1707.08567"
NEW_ID = "2611.04321"
NEW_TITLE = "Proceedings of Workshop AEW10 (resubmitted)"


def _one_entry(feed: str, arxiv_id: str) -> str:
    """The feed with only the entry whose <id> ends in arxiv_id (and totalResults to match)."""
    head, *entries = feed.split("<entry>")
    tail = entries[-1].split("</feed>")[0].rsplit("</entry>", 1)[1] if entries else ""
    kept = [e.rsplit("</entry>", 1)[0] for e in entries if f"/abs/{arxiv_id}v" in e.split("</id>", 1)[0]]
    head = re.sub(r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(kept)}<", head)
    return head + "".join(f"<entry>{e}</entry>" for e in kept) + tail + "</feed>\n"


class FakeArxiv:
    """Responder for tests.support.servers.LocalServer: answers ``id_list`` queries."""

    def __init__(self, formats: Path):
        recorded = (formats / "api_query_id_list_0808.05394_1707.08567_2026.xml").read_text()
        original = _one_entry(recorded, RECORDED_ID)
        renamed = original.replace(RECORDED_ID, NEW_ID).replace(
            "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications", NEW_TITLE
        )
        self.answers = {RECORDED_ID: original.encode(), NEW_ID: renamed.encode()}
        self.empty = (formats / "api_query_id_list_0000.0000_empty_2026.xml").read_bytes()

    def _many(self, ids: list[str]) -> bytes:
        """One feed holding the entries of the known ids among ``ids``, in their order."""
        head, _, _ = self.answers[RECORDED_ID].decode().partition("<entry>")
        entries = ["<entry>" + self.answers[i].decode().split("<entry>", 1)[1].rsplit("</entry>", 1)[0] + "</entry>"
                   for i in ids if i in self.answers]
        head = re.sub(r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{len(entries)}<", head)
        return (head + "".join(entries) + "</feed>\n").encode()

    def __call__(self, path: str, params: dict[str, str]) -> Response:
        ids = [re.sub(r"v\d+$", "", i) for i in params.get("id_list", "").split(",")]
        body = self.answers.get(ids[0], self.empty) if len(ids) == 1 else self._many(ids)
        return 200, {"Content-Type": "application/atom+xml; charset=utf-8"}, body
