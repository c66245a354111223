"""Run as a separate process (``python -m tests.jobs.harness CMD``) against the database in the
environment, so tests can drive real worker processes that share one database with them."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.utils import timezone

    from paperfeed.digests.models import DigestSend, Subscription
    from paperfeed.jobs.models import JobRun
    from tests.digests.helpers import real_papers, store

    command = argv[0]
    if command == "seed":
        data_dir, count = argv[1], int(argv[2])
        rows = real_papers(data_dir, "2026-05-12", "2026-05-12", ("cs.CL", "cs.LG"))[:30]
        store(rows, {row["id"]: 30 - i for i, row in enumerate(rows)})
        for i in range(count):
            Subscription.objects.create(email=f"reader{i}@example.com", status=Subscription.Status.ACTIVE)
    elif command == "schedule-now":
        from django_q.models import Schedule
        from django_q.tasks import async_task

        due = timezone.now().replace(microsecond=0) - timedelta(seconds=2)
        Schedule.objects.create(
            name="paperfeed:digest_daily", func="paperfeed.jobs.runner.run_scheduled",
            kwargs=repr({"name": "digest_daily"}), schedule_type=Schedule.DAILY, repeats=-1,
            next_run=due, intended_date_kwarg="intended",
        )
        slot = Schedule.objects.get(name="paperfeed:digest_daily").next_run.isoformat()
        # The same slot delivered a second time (as a broker redelivery or a second
        # scheduler would): the JobRun claim must turn it away.
        async_task("paperfeed.jobs.runner.run_scheduled", "digest_daily", intended=slot)
        print(json.dumps({"slot": slot}))
    elif command == "report":
        print(json.dumps({
            "sends": list(DigestSend.objects.values("subscription__email", "status", "attempts")),
            "runs": list(JobRun.objects.values("name", "slot", "status", "attempts", "duplicates_skipped")),
        }, default=str))
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
