"""A local HTTP server standing in for arXiv's OAI-PMH and API endpoints in tests.

Everything it serves is a real response from tests/fixtures/arxiv-formats or a page derived
from one (real records re-numbered and re-paged, real resumption-token markup, the real
error documents). It records each request so tests can assert what a client asked for.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.support.servers import Response

# ---- OAI-PMH pages derived from the real arXiv-format ListRecords pages -------------------


def _split(xml: str) -> tuple[str, list[str]]:
    head, rest = xml.split("<ListRecords>", 1)
    records = re.findall(r"<record>.*?</record>", rest, flags=re.S)
    return head + "<ListRecords>\n", records


def _renumber(record: str, new_id: str) -> str:
    old = re.search(r"<id>([^<]+)</id>", record).group(1)
    return record.replace(f"oai:arXiv.org:{old}", f"oai:arXiv.org:{new_id}").replace(
        f"<id>{old}</id>", f"<id>{new_id}</id>")


class OaiPages:
    """``pages`` ListRecords pages of ``per_page`` real records (hep-th and hep-ex, re-numbered).

    Tokens are ``tok-N``; the last page ends with an empty resumptionToken element that keeps
    its cursor and completeListSize, as OAI-PMH specifies. ``delay`` slows each answer down,
    ``throttle`` answers the first request for a page with 503 + Retry-After, ``broken``
    replaces a page with truncated XML, ``replace`` substitutes whole pages.
    """

    def __init__(self, formats: Path, pages: int = 3, per_page: int = 4, delay: float = 0.0,
                 prefix: str = "arXiv"):
        head, records = _split((formats / "oai_listrecords_arXiv_hep-th_2017-12-14.xml").read_text())
        records += _split((formats / "oai_listrecords_arXiv_hep-ex_2017-12-14.xml").read_text())[1]
        self.formats = formats
        self.head = head
        self.total = pages * per_page
        self.per_page = per_page
        self.delay = delay
        self.throttle: set[int] = set()
        self.broken: set[int] = set()
        self.replace: dict[int, str] = {}
        self.served: list[int] = []
        self.records = [_renumber(records[i % len(records)], f"2601.{i + 1:05d}") for i in range(self.total)]
        self.page_count = pages

    def ids(self) -> list[str]:
        return [f"2601.{i + 1:05d}" for i in range(self.total)]

    def page(self, number: int) -> bytes:
        if number in self.replace:
            return self.replace[number].encode()
        start = (number - 1) * self.per_page
        body = "".join(self.records[start: start + self.per_page])
        attrs = f'cursor="{start}" completeListSize="{self.total}"'
        token = f"tok-{number + 1}" if number < self.page_count else ""
        xml = f"{self.head}{body}\n<resumptionToken {attrs}>{token}</resumptionToken>\n</ListRecords>\n</OAI-PMH>\n"
        if number in self.broken:
            xml = xml[: len(xml) // 2]
        return xml.encode()

    def error(self, name: str) -> Response:
        return 200, {}, (self.formats / f"oai_error_{name}.xml").read_bytes()

    def __call__(self, path: str, params: dict[str, str]) -> Response:
        if params.get("verb") != "ListRecords":
            return self.error("badVerb")
        token = params.get("resumptionToken")
        if token is not None:
            if set(params) - {"verb", "resumptionToken"}:
                return self.error("badArgument")
            match = re.fullmatch(r"tok-(\d+)", token)
            if not match or not 2 <= int(match.group(1)) <= self.page_count:
                return self.error("badResumptionToken")
            number = int(match.group(1))
        else:
            if "metadataPrefix" not in params or "identifier" in params:
                return self.error("badArgument")
            if params.get("set") == "moo":
                return self.error("noRecordsMatch")
            number = 1
        if number in self.throttle:
            self.throttle.discard(number)
            return 503, {"Retry-After": "7"}, b"<html><body>Retrying after 7 seconds</body></html>"
        if self.delay:
            time.sleep(self.delay)
        self.served.append(number)
        return 200, {}, self.page(number)
