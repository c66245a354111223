"""Run as a separate process (``python -m tests.accounts.harness CMD …``) against the database in the
environment, so tests can prepare and inspect the database that real server and worker processes share
with them (on SQLite a file database, which the test process itself does not open).

- ``hammer SCOPE THREADS LIMIT``: THREADS threads, each with its own database connection, count one
  attempt each against one key at the same moment; prints how many the limiter accepted;
- ``member NAME``: a member with an API token and a signed-in session; prints both;
- ``papers N``: N papers listed today; prints their ids;
- ``report``: the fetch queue, its requests and the listings, as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import threading


def hammer(scope: str, threads: int, limit: int) -> dict:
    from django.db import connection

    from paperfeed.accounts import ratelimits

    barrier = threading.Barrier(threads)
    verdicts: list[str] = []

    def one() -> None:
        try:
            barrier.wait()
            verdicts.append("refused" if ratelimits.attempt(scope, "user:1", limit, 86400) else "accepted")
        except Exception as error:  # reported, so the test shows what broke
            verdicts.append(f"error: {type(error).__name__}: {error}")
        finally:
            connection.close()

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {
        "accepted": verdicts.count("accepted"),
        "refused": verdicts.count("refused"),
        "errors": sorted({v for v in verdicts if v.startswith("error")})[:5],
    }


def member(name: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from paperfeed.accounts.models import ApiToken

    user = get_user_model().objects.create_user(name, f"{name}@example.org", "correct horse battery 9")
    _, token = ApiToken.issue(user)
    client = Client()
    client.force_login(user)
    return {"token": token, "sessionid": client.cookies["sessionid"].value}


def papers(count: int) -> dict:
    from tests.factories import list_paper, make_paper

    return {"ids": [list_paper(make_paper()).paper.arxiv_id for _ in range(count)]}


def report() -> dict:
    from paperfeed.accounts.models import FetchIntent, PaperFetch
    from paperfeed.papers.models import DailyEntry

    return {
        "fetches": dict(PaperFetch.objects.values_list("arxiv_id", "state")),
        "intents": list(FetchIntent.objects.values("fetch__arxiv_id", "user__username", "action", "outcome",
                                                   "done_at")),
        "entries": list(DailyEntry.objects.values_list("paper__arxiv_id", "submitted_by__username")),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    commands = {
        "hammer": lambda: hammer(argv[1], int(argv[2]), int(argv[3])),
        "member": lambda: member(argv[1]),
        "papers": lambda: papers(int(argv[1])),
        "report": report,
    }
    if not argv or argv[0] not in commands:
        print(f"unknown command {argv[:1]!r}; known: {', '.join(commands)}", file=sys.stderr)
        return 2
    print(json.dumps(commands[argv[0]](), default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
