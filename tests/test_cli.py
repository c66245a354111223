"""The README's promise: `paperfeed demo` prepares a working hub from nothing, idempotently,
and `paperfeed serve` serves it over real HTTP. And the command line reads like a manual:
--version, help with defaults and examples, no traceback on a bare data dir, Ctrl-C stops at once."""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from paperfeed import cli

pytestmark = pytest.mark.slow


def _env(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
    env.update({"PAPERFEED_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "PAPERFEED_RATELIMIT": "0"})
    return env


def _paperfeed(*args, data_dir, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperfeed.cli", *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    first = _paperfeed("demo", "--no-serve", data_dir=data_dir)
    assert first.returncode == 0, first.stderr[-3000:]
    return data_dir


def _counts(data_dir) -> tuple[int, int]:
    with sqlite3.connect(data_dir / "paperfeed.sqlite3") as db:
        papers = db.execute("select count(*) from papers_paper").fetchone()[0]
        entries = db.execute("select count(*) from papers_dailyentry").fetchone()[0]
    return papers, entries


def test_demo_prepares_sqlite_in_wal_mode_with_the_sample(demo_dir):
    papers, entries = _counts(demo_dir)
    assert papers > 1000
    assert entries > 100
    with sqlite3.connect(demo_dir / "paperfeed.sqlite3") as db:
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert (demo_dir / "secret_key").stat().st_mode & 0o077 == 0


def test_demo_is_idempotent(demo_dir):
    before = _counts(demo_dir)
    again = _paperfeed("demo", "--no-serve", data_dir=demo_dir)
    assert again.returncode == 0, again.stderr[-3000:]
    assert _counts(demo_dir) == before


def test_serve_answers_over_http(demo_dir):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperfeed.cli", "serve", "--port", str(port), "--workers", "1"],
        env=_env(demo_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    assert "Content-Security-Policy" in response.headers
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert "/papers/" in body, "front page lists no papers"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_cli_help_lists_every_command(tmp_path):
    result = _paperfeed("--help", data_dir=tmp_path, timeout=60)
    assert result.returncode == 0
    for command in ("demo", "serve", "ingest", "add", "index", "worker", "follow-index", "digest", "manage"):
        assert command in result.stdout


# --------------------------------------------------------------------------- the manual

COMMANDS = ["demo", "serve", "ingest", "ingest oai", "ingest api", "ingest snapshot", "ingest hf-daily",
            "add", "index", "worker", "follow-index", "digest", "manage create_api_token"]


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        cli.main([*argv, "--help"])
    assert stopped.value.code == 0
    return capsys.readouterr().out


def test_version_is_the_installed_distributions(tmp_path):
    result = _paperfeed("--version", data_dir=tmp_path / "untouched", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"paperfeed {importlib.metadata.version('paperfeed')}"
    assert not (tmp_path / "untouched").exists(), "--version must not create the data dir"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_ends_with_examples_and_hides_django_options(capsys, command):
    text = _help(capsys, *command.split())
    examples = text.rsplit("\nExamples:\n", 1)[1].splitlines()
    assert 1 <= len(examples) <= 2 and all("paperfeed " in line and "  # " in line for line in examples)
    for hidden in ("--pythonpath", "--settings", "--traceback", "--no-color", "--force-color", "--skip-checks",
                   "--verbosity"):
        assert hidden not in text


def test_top_level_help_ends_with_examples(capsys):
    text = _help(capsys)
    assert "\nExamples:\n" in text
    assert "--version" in text


def _parser_of(command: str) -> argparse.ArgumentParser:
    """The parser `paperfeed COMMAND --help` prints (sub-sources walked by the caller)."""
    words = command.split()
    if words[0] in ("demo", "serve"):
        top = cli._parser(words[0])
        return _choices(top)[words[0]]
    name = words[-1] if words[0] == "manage" else words[0]
    parser = cli._Utility(["paperfeed", name]).fetch_command(name).create_parser("paperfeed", name)
    return _choices(parser)[words[1]] if len(words) > 1 and words[0] != "manage" else parser


def _choices(parser: argparse.ArgumentParser) -> dict:
    return next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_that_shows_its_default(command):
    parser = _parser_of(command)
    formatter = parser._get_formatter()
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help, f"{command}: {action.option_strings or action.dest} has no help"
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            shown = formatter._expand_help(action)
            assert "default" in shown, f"{command}: {action.option_strings} hides its default"
            if "%(default)" in formatter._get_help_string(action):
                assert str(action.default) in shown


def test_serve_defaults_come_from_settings(settings):
    settings.HOST, settings.PORT, settings.WEB_WORKERS = "0.0.0.0", 9123, 3
    args = cli._parser("serve").parse_args(["serve"])
    assert (args.host, args.port, args.workers) == ("0.0.0.0", 9123, 3)


def test_manage_help_suggests_a_command_that_works(capsys):
    cli.main(["manage", "--help"])
    assert "Type 'paperfeed manage help <subcommand>'" in capsys.readouterr().out
    assert cli.main(["manage", "help", "ingest"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: paperfeed manage ingest")
    assert "Examples:" in text


# --------------------------------------------------------------------------- a bare data dir

NOT_SET_UP = "is not set up yet: run `paperfeed manage migrate`"


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("argv", [
    ["worker"],
    ["digest", "--send"],
    ["serve", "--no-migrate"],
    ["manage", "create_api_token", "alice"],
    ["manage", "createsuperuser", "--noinput", "--username", "alice", "--email", "alice@example.org"],
])
def test_a_command_that_needs_the_database_says_what_to_run(tmp_path, argv):
    result = _paperfeed(*argv, data_dir=tmp_path, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    [line] = _lines(result.stderr)
    assert line.startswith(f"paperfeed: The database at {tmp_path / 'paperfeed.sqlite3'} {NOT_SET_UP}")


def test_a_database_left_behind_says_so(tmp_path):
    assert _paperfeed("manage", "migrate", "papers", "0001", "-v0", data_dir=tmp_path, timeout=120).returncode == 0
    result = _paperfeed("digest", data_dir=tmp_path, timeout=120)
    assert result.returncode == 1
    assert _lines(result.stderr) == [
        f"paperfeed: The database at {tmp_path / 'paperfeed.sqlite3'} is behind this paperfeed: "
        "run `paperfeed manage migrate`."
    ]


def test_ingest_on_a_fresh_data_dir_migrates_first(tmp_path):
    sample = Path(cli.__file__).parent / "sample" / "arxiv_sample.jsonl.gz"
    with gzip.open(sample, "rt", encoding="utf-8") as source:
        head = [next(source) for _ in range(3)]
    snapshot = tmp_path / "three.jsonl"
    snapshot.write_text("".join(head), encoding="utf-8")
    data_dir = tmp_path / "fresh"
    result = _paperfeed("ingest", "snapshot", str(snapshot), "--no-progress", data_dir=data_dir, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "setting up the database" in result.stderr
    assert "added 3" in result.stdout
    assert _counts(data_dir)[0] == 3


# --------------------------------------------------------------------------- Ctrl-C


def _wait_for(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited early"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds}s")


def test_demo_stops_within_two_seconds_of_ctrl_c_without_noise(tmp_path):
    port = _free_port()
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "paperfeed.cli", "demo", "--port", str(port), "--workers", "2"],
            env=_env(tmp_path / "data"), stdout=stdout, stderr=stderr, start_new_session=True,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/", proc)
        # A search loads the embedder in the worker: the state that used to hang its exit.
        _wait_for(f"http://127.0.0.1:{port}/search/?q=diffusion+models", proc)
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        proc.wait(timeout=40)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert took < 2, f"stopped {took:.1f}s after Ctrl-C"
    assert proc.returncode == 0
    noise = [line for line in (err.read_text() + out.read_text()).splitlines()
             if any(word in line.lower() for word in ("error", "warning", "traceback", "sigkill"))]
    assert noise == []
