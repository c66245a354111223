"""Settings come from PAPERFEED_* variables; check the parsing in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'hosts': settings.ALLOWED_HOSTS,"
    "'email': settings.EMAIL_BACKEND, 'email_host': settings.EMAIL_HOST, 'email_port': settings.EMAIL_PORT,"
    "'oai': settings.ARXIV_OAI_URL, 'cats': settings.CATEGORIES, 'hasher': settings.PASSWORD_HASHERS[0],"
    "'init': db.get('OPTIONS', {}).get('init_command', '')}))"
)


def _probe(tmp_path, probe: str = PROBE, **env) -> dict:
    """What a fresh process with only these PAPERFEED_* variables set reads as its settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PAPERFEED_DATA_DIR": str(tmp_path), **env})
    out = subprocess.run([sys.executable, "-c", probe], env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_defaults_are_sqlite_wal_in_the_data_dir(tmp_path):
    conf = _probe(tmp_path)
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["name"] == str(tmp_path / "paperfeed.sqlite3")
    assert "journal_mode=WAL" in conf["init"]
    assert conf["email"].endswith("console.EmailBackend")
    assert conf["hasher"].endswith("Argon2PasswordHasher")
    assert (tmp_path / "secret_key").exists()


def test_env_vars_configure_postgres_email_hosts_and_sources(tmp_path):
    conf = _probe(
        tmp_path,
        PAPERFEED_DATABASE_URL="postgres://u:p@db.internal:5433/hub",
        PAPERFEED_ALLOWED_HOSTS="papers.example.org, localhost",
        PAPERFEED_EMAIL_URL="smtp://user:pw@mail.example.org:2525",
        PAPERFEED_ARXIV_OAI_URL="http://127.0.0.1:9/oai",
        PAPERFEED_CATEGORIES="cs.LG,stat.ML",
        PAPERFEED_SECRET_KEY="x" * 60,
    )
    assert conf["engine"] == "django.db.backends.postgresql"
    assert conf["name"] == "hub"
    assert conf["hosts"] == ["papers.example.org", "localhost"]
    assert conf["email"].endswith("smtp.EmailBackend")
    assert (conf["email_host"], conf["email_port"]) == ("mail.example.org", 2525)
    assert conf["oai"] == "http://127.0.0.1:9/oai"
    assert conf["cats"] == ["cs.LG", "stat.ML"]
    assert not (tmp_path / "secret_key").exists()


KNOB_PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "names = ['RATELIMIT_ENABLE', 'SCHEDULER_TICK', 'WORKER_PROCESSES', 'EMAIL_TIMEOUT', 'HOST', 'PORT',"
    " 'WEB_WORKERS', 'LOGIN_RATE', 'HARVEST_SETS', 'EMBED_THREADS', 'JOB_TIMEOUT', 'OAI_DEFAULT_DAYS'];"
    "out = {n: getattr(settings, n) for n in names};"
    "out['STATIC_ROOT'] = settings.STATIC_ROOT and str(settings.STATIC_ROOT);"
    "out['retry'] = settings.Q_CLUSTER['retry'];"
    "print(json.dumps(out))"
)


def _knobs(tmp_path, **env) -> dict:
    return _probe(tmp_path, KNOB_PROBE, **env)


def test_knob_defaults_match_the_old_reads(tmp_path):
    assert _knobs(tmp_path) == {
        "RATELIMIT_ENABLE": True, "SCHEDULER_TICK": 10.0, "WORKER_PROCESSES": 1, "EMAIL_TIMEOUT": 20,
        "HOST": "127.0.0.1", "PORT": 8000, "WEB_WORKERS": 2, "LOGIN_RATE": "10/m", "HARVEST_SETS": None,
        "EMBED_THREADS": None, "JOB_TIMEOUT": 3600, "OAI_DEFAULT_DAYS": 7, "STATIC_ROOT": None, "retry": 4200,
    }


def test_knobs_parse_to_their_types(tmp_path):
    conf = _knobs(
        tmp_path, PAPERFEED_RATELIMIT="off", PAPERFEED_SCHEDULER_TICK="2.5", PAPERFEED_PORT=" 9000 ",
        PAPERFEED_HARVEST_SETS="cs, math ,", PAPERFEED_EMBED_THREADS="3", PAPERFEED_JOB_TIMEOUT="60",
        PAPERFEED_STATIC_ROOT=str(tmp_path / "collected"), PAPERFEED_LOGIN_RATE="100/5m",
    )
    assert conf["RATELIMIT_ENABLE"] is False
    assert (conf["SCHEDULER_TICK"], conf["PORT"], conf["EMBED_THREADS"]) == (2.5, 9000, 3)
    assert conf["HARVEST_SETS"] == ["cs", "math"]
    assert (conf["JOB_TIMEOUT"], conf["retry"]) == (60, 660)
    assert conf["STATIC_ROOT"] == str(tmp_path / "collected")
    assert conf["LOGIN_RATE"] == "100/5m"


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("PAPERFEED_PORT", "abc", "is not a valid int"),
        ("PAPERFEED_RATELIMIT", "maybe", "is not a valid bool"),
        ("PAPERFEED_LOGIN_RATE", "ten a minute", "is not a valid rate"),
        ("PAPERFEED_HARVEST_TIME", "25:00", "is not a valid time"),
        ("PAPERFEED_RECOMMEND_FEATURES", "bert", "must be one of tfidf, hybrid"),
        ("PAPERFEED_SITE_URL", "papers.example.org", "is not a valid url"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(tmp_path, variable, value, reason):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PAPERFEED_DATA_DIR": str(tmp_path), variable: value})
    proc = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=clean,
                          capture_output=True, text=True)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"django.core.exceptions.ImproperlyConfigured: {variable}={value!r}")
    assert reason in last
