"""Background jobs on Huey: processing inbound payloads, polling PMSs, delivering the outbox and
the periodic sweeps, each run in an app context by `flask guestrel worker`.

Where jobs wait depends on the configuration, the code does not:
- `GUESTREL_JOBS = "immediate"` (the test suite): a job runs at once, in the caller's process.
- `GUESTREL_REDIS_URL` set: a Redis queue shared by any number of workers on any hosts.
- otherwise (the embedded default): a SQLite file beside the database, one worker that
  `make run` starts with the web server.

The Huey instance lives on the app (app.extensions["guestrel.jobs"]), never in a module global,
so two apps in one process (the tests) keep their queues apart. Jobs are named explicitly: the
web process enqueues by name what a worker process runs.

Huey takes a job off the queue before it runs it, so a worker killed mid-job loses the job; it
never loses data, because every job is safe to run again (events are claimed once, cursors are
saved after the page is stored) and the periodic sweeps re-enqueue what was left unfinished.
"""
import functools
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey

EXTENSION = "guestrel.jobs"
EVERY_MINUTE = crontab(minute="*")
NIGHTLY = crontab(minute="17", hour="3")
EVERY_QUARTER_HOUR = crontab(minute="*/15")


@dataclass(frozen=True)
class JobSpec:
    """A job: its name (what a queued message carries), the function, and when it runs by
    itself (a crontab) if it is periodic."""

    name: str
    function: object
    periodic: object = None


@dataclass
class Jobs:
    huey: Huey
    tasks: dict = field(default_factory=dict)


def _specs() -> list[JobSpec]:
    # Imported here: the domains' job functions use services that import this module's callers.
    from guestrel.alerts import service as alerts_service
    from guestrel.sync import jobs as sync_jobs
    from guestrel.tasks import planner as tasks_planner

    return [
        JobSpec("sync.process_message", sync_jobs.process_message),
        JobSpec("sync.poll_connection", sync_jobs.poll_connection),
        JobSpec("sync.poll_due", sync_jobs.poll_due, periodic=EVERY_MINUTE),
        JobSpec("sync.recover", sync_jobs.recover, periodic=EVERY_MINUTE),
        JobSpec("sync.deliver_outbox", sync_jobs.deliver_outbox, periodic=EVERY_MINUTE),
        JobSpec("alerts.raise_missing", alerts_service.raise_missing, periodic=EVERY_MINUTE),
        JobSpec("alerts.prune_events", alerts_service.prune_events, periodic=NIGHTLY),
        JobSpec("tasks.plan", tasks_planner.plan_all, periodic=EVERY_QUARTER_HOUR),
    ]


def _create_huey(app: Flask) -> Huey:
    name = app.config["GUESTREL_JOBS_QUEUE"]
    if app.config.get("GUESTREL_JOBS") == "immediate":
        return MemoryHuey(name, immediate=True)
    redis_url = app.config.get("GUESTREL_REDIS_URL")
    if redis_url:
        return RedisHuey(name, url=redis_url)
    path = app.config.get("GUESTREL_JOBS_SQLITE_PATH") or str(Path(app.instance_path) / "jobs.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path)


def _in_app_context(app: Flask, function):
    @functools.wraps(function)
    def run(*args, **kwargs):
        with app.app_context():
            return function(*args, **kwargs)

    return run


def init_app(app: Flask):
    huey = _create_huey(app)
    jobs = Jobs(huey)
    for spec in _specs():
        wrapped = _in_app_context(app, spec.function)
        if spec.periodic is not None:
            jobs.tasks[spec.name] = huey.periodic_task(spec.periodic, name=spec.name)(wrapped)
        else:
            jobs.tasks[spec.name] = huey.task(name=spec.name)(wrapped)
    app.extensions[EXTENSION] = jobs


def enqueue(name: str, *args, delay: float | None = None):
    """Queue the job `name` with `args` (JSON-safe values: ids, not objects), to run after
    `delay` seconds when given."""
    task = current_app.extensions[EXTENSION].tasks[name]
    if delay:
        return task.schedule(args, delay=delay)
    return task(*args)


def run_worker(app: Flask, workers: int):
    """Run a Huey consumer for `app` until it is stopped (SIGTERM or Ctrl-C): `workers` threads
    taking jobs, and the scheduler of the periodic ones. The periodic jobs also run once at
    start, so a worker restarted after a crash picks up what was left at once."""
    jobs = app.extensions[EXTENSION]
    for spec in _specs():
        if spec.periodic is not None:
            jobs.tasks[spec.name]()
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", check_worker_health=True)
    consumer.run()
