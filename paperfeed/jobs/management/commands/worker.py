"""``paperfeed worker``: the django-q2 cluster plus a faster scheduler tick, on the DB queue.

Harvests, index sync and digests run from django-q2 Schedule rows (see jobs/schedules.py);
every run claims a JobRun row first, so any number of workers can run at once. While the
cluster lives, the loop also writes a heartbeat row every PAPERFEED_WORKER_HEARTBEAT seconds,
which /healthz reads (jobs/heartbeat.py).
"""

from __future__ import annotations

import signal
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections
from django.utils import timezone


class Command(BaseCommand):
    help = "Run the background worker: scheduled harvests, index sync, digests, retries."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=None,
                            help="Seconds between schedule checks (PAPERFEED_SCHEDULER_TICK, default 10)")
        parser.add_argument("--run", metavar="JOB", help="Queue one job now (harvest, index_sync, digest_daily, …) for the running worker, then exit")
        parser.add_argument("--list", action="store_true", help="Show the schedules and recent runs, then exit")
        parser.add_argument("--no-schedules", action="store_true", help="Do not create/update the standing schedules")

    def handle(self, *args, **options):
        from django_q.cluster import Cluster
        from django_q.scheduler import scheduler

        from paperfeed.jobs import heartbeat, runner, schedules

        if options["run"]:
            try:
                task_id = runner.enqueue(options["run"])
            except runner.UnknownJob as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"queued {options['run']} as task {task_id}; a running worker will pick it up")
            return
        # django-q2 keeps cluster stats in the cache, which is a database table here.
        call_command("createcachetable", verbosity=0)
        if not options["no_schedules"]:
            try:
                for change in schedules.ensure_schedules():
                    self.stdout.write(change)
            except ValueError as error:
                raise CommandError(str(error)) from None
        if options["list"]:
            self._list()
            return
        tick = options["tick"] if options["tick"] is not None else settings.SCHEDULER_TICK
        if tick <= 0:
            raise CommandError("--tick must be a positive number of seconds")
        # Forked cluster processes must not share this process's database connections.
        connections.close_all()
        cluster = Cluster()
        # django-q2 stops the cluster from inside its signal handler. When the signal goes to
        # the whole process group (Ctrl-C, systemd, `timeout`), its sentinel is killed at the
        # same moment, possibly holding the stop event's lock, and that stop deadlocks. So the
        # handler only records the request; the loop below stops the cluster outside it.
        stop_requested = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop_requested.set())
        cluster.start()
        self.stdout.write(f"worker running (cluster {cluster.name}, schedule tick {tick:g}s); Ctrl-C stops it")
        self.stdout.flush()
        next_tick = next_beat = time.monotonic()
        me, started = runner.worker_name(), timezone.now()
        while cluster.sentinel.is_alive() and not stop_requested.is_set():
            if time.monotonic() >= next_beat:
                self._beat(heartbeat, me, started)
                next_beat = time.monotonic() + settings.WORKER_HEARTBEAT
            if time.monotonic() >= next_tick:
                scheduler()  # creates each due task once: it locks the schedule rows
                connections.close_all()
                next_tick = time.monotonic() + tick
            stop_requested.wait(min(0.2, tick))
        self._shutdown(cluster)
        self.stdout.write("worker stopped")

    def _beat(self, heartbeat, me: str, started) -> None:
        """A missed beat (database briefly away) is only logged: the worker keeps working, and the
        beat's age is what tells /healthz something is wrong."""
        try:
            heartbeat.beat(me, started)
        except DatabaseError as error:
            self.stderr.write(f"heartbeat not written: {error}")
        finally:
            connections.close_all()

    def _shutdown(self, cluster, grace: float = 60.0) -> None:
        """Let running tasks finish (django-q2's stop), but never hang on a dead sentinel."""
        cluster.sentinel.join(1.0)  # a signal to the whole group has already killed it
        if not cluster.sentinel.is_alive():
            return
        stopper = threading.Thread(target=cluster.stop, daemon=True)
        stopper.start()
        deadline = time.monotonic() + grace
        while stopper.is_alive() and cluster.sentinel.is_alive() and time.monotonic() < deadline:
            stopper.join(0.2)
        if cluster.sentinel.is_alive():
            cluster.sentinel.terminate()
            cluster.sentinel.join(5)

    def _list(self) -> None:
        from django_q.models import Schedule

        from paperfeed.jobs.models import JobRun

        for s in Schedule.objects.order_by("next_run"):
            self.stdout.write(f"{s.name:<32} next {s.next_run:%Y-%m-%d %H:%M} ({s.get_schedule_type_display()})")
        for run in JobRun.objects.all()[:10]:
            self.stdout.write(f"{run.started_at:%Y-%m-%d %H:%M} {run.name:<16} {run.status:<8} {run.result[:80] or run.last_error[:80]}")
