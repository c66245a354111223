"""Submitting a paper from the web form: the API app's service holds the rules, this adapts it.

``paperfeed.api.submissions.submit`` already enforces everything (valid id, listed once,
SUBMISSIONS_PER_DAY, arXiv lookup for unknown papers, a lock against simultaneous
submissions), so both front doors refuse the same things; here its ApiError becomes a
message for a person.
"""

from __future__ import annotations

from paperfeed.api.errors import ApiError
from paperfeed.api.submissions import submit as api_submit
from paperfeed.papers.models import DailyEntry


class SubmissionError(ValueError):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _explain(error: ApiError) -> str:
    detail = error.detail if isinstance(error.detail, dict) else {}
    if error.status == 400:
        return "That is not an arXiv id or URL. Try e.g. 2604.01234 or https://arxiv.org/abs/2604.01234."
    if error.status == 409:
        day = detail.get("day")
        return f"{error.error}{' (on ' + day + ')' if day else ''}; upvote it instead."
    if error.status == 429:
        return f"You already submitted {detail.get('limit', 'the maximum number of')} papers today; come back tomorrow."
    if error.status == 502:
        return f"{error.error}: arXiv did not answer. Please try again in a minute."
    return error.error


def submit(user, raw_id: str) -> DailyEntry:
    """List the paper on today's page as the member's submission; SubmissionError when refused."""
    try:
        return api_submit(user, raw_id.strip())
    except ApiError as error:
        raise SubmissionError(_explain(error), error.status) from None
