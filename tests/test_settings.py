"""Settings come from PAPERFEED_* variables; check the parsing in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'hosts': settings.ALLOWED_HOSTS,"
    "'email': settings.EMAIL_BACKEND, 'email_host': settings.EMAIL_HOST, 'email_port': settings.EMAIL_PORT,"
    "'oai': settings.ARXIV_OAI_URL, 'cats': settings.CATEGORIES, 'hasher': settings.PASSWORD_HASHERS[0],"
    "'init': db.get('OPTIONS', {}).get('init_command', '')}))"
)


def _probe(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PAPERFEED_DATA_DIR": str(tmp_path), **env})
    out = subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, check=True)
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
