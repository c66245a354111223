"""One configuration: every knob is declared once in paperfeed/settings.py, documented in
docs/configuration.md, and read nowhere else; a normal start prints no warnings."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from paperfeed import settings as registry

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "paperfeed"
DOC = ROOT / "docs" / "configuration.md"
ENV_ACCESS = {"environ", "environb", "getenv", "putenv", "unsetenv"}
MENTION = re.compile(r"PAPERFEED_[A-Z0-9_]*[A-Z0-9]")


def _generated_block() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split("<!-- knobs:start -->\n", 1)[1].split("<!-- knobs:end -->", 1)[0]


def _harness_names() -> set[str]:
    harness = DOC.read_text(encoding="utf-8").split("## Test harness", 1)[1]
    return set(re.findall(r"^\| `(PAPERFEED_\w+)` \|", harness, re.M))


def test_every_declared_knob_is_documented_and_nothing_else():
    documented = set(re.findall(r"^\| `(PAPERFEED_\w+)` \|", _generated_block(), re.M))
    declared = {spec.env_name for spec in registry.KNOBS.values()}
    assert not declared - documented, f"declared but missing from {DOC.name}: {sorted(declared - documented)}"
    assert not documented - declared, f"documented but not declared: {sorted(documented - declared)}"


def test_docs_tables_equal_the_registry():
    assert _generated_block() == registry.markdown(), (
        "docs/configuration.md is stale: paste `python -m paperfeed.settings --markdown` between the markers"
    )


def test_readme_rows_are_copies_of_registry_rows():
    rows = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `PAPERFEED_")]
    assert rows, "README.md names the knobs a new deployment sets first"
    generated = set(registry.markdown().splitlines())
    assert [row for row in rows if row not in generated] == []


def test_every_variable_the_docs_mention_exists():
    """A renamed or mistyped knob in any page would send an operator after a dead variable."""
    known = {spec.env_name for spec in registry.KNOBS.values()} | _harness_names()
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    unknown = {(page.name, name) for page in pages for name in MENTION.findall(page.read_text(encoding="utf-8"))
               if name not in known}
    assert unknown == set()


def _allowed(path: Path, node: ast.Attribute, parents: dict[ast.AST, ast.AST]) -> bool:
    """cli.py may set PAPERFEED_DATA_DIR from --data-dir; entry points may name the settings module."""
    parent = parents.get(node)
    if (path.name == "cli.py" and isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store)
            and isinstance(parent.slice, ast.Constant) and parent.slice.value == "PAPERFEED_DATA_DIR"):
        return True
    call = parents.get(parent)
    return (path.name in {"cli.py", "wsgi.py", "asgi.py"} and isinstance(parent, ast.Attribute)
            and parent.attr == "setdefault" and isinstance(call, ast.Call) and bool(call.args)
            and isinstance(call.args[0], ast.Constant) and call.args[0].value == "DJANGO_SETTINGS_MODULE")


def _imports_settings_module(node: ast.AST) -> bool:
    """Reading the module bypasses django.conf.settings, and with it every test override."""
    if isinstance(node, ast.Import):
        return "paperfeed.settings" in {alias.name for alias in node.names}
    return isinstance(node, ast.ImportFrom) and (node.module == "paperfeed.settings" or (
        node.module == "paperfeed" and "settings" in {alias.name for alias in node.names}))


def _config_reads(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in ENV_ACCESS and isinstance(node.value, ast.Name)
                and node.value.id == "os" and not _allowed(path, node, parents)):
            found.append(f"{path.relative_to(root)}:{node.lineno} os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and {a.name for a in node.names} & ENV_ACCESS:
            found.append(f"{path.relative_to(root)}:{node.lineno} from os import …")
        elif _imports_settings_module(node):
            found.append(f"{path.relative_to(root)}:{node.lineno} imports paperfeed.settings (read settings.X)")
    return sorted(found, key=lambda read: int(read.split(" ", 1)[0].rsplit(":", 1)[1]))


def test_only_settings_reads_the_environment():
    files = [p for p in sorted(PACKAGE.rglob("*.py")) if p != PACKAGE / "settings.py"]
    assert [read for path in files for read in _config_reads(path)] == []


def test_the_checker_sees_a_read(tmp_path):
    """Guards the guard: each way of reading configuration outside settings.py is caught."""
    module = tmp_path / "cli.py"
    module.write_text(
        "import os\nfrom os import getenv\nfrom paperfeed.settings import DATA_DIR\n"
        "os.environ['PAPERFEED_DATA_DIR'] = 'ok'\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x')\n"
        "a = os.environ.get('PAPERFEED_PORT')\nb = os.getenv('PAPERFEED_HOST')\nc = os.environ['PAPERFEED_X']\n",
        encoding="utf-8",
    )
    reads = _config_reads(module, root=tmp_path)
    assert [r.split(" ", 1)[0] for r in reads] == ["cli.py:2", "cli.py:3", "cli.py:6", "cli.py:7", "cli.py:8"]


def _fresh_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERFEED_", "PYTHONWARNINGS"))}
    env.update(PAPERFEED_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="paperfeed.settings")
    return env


def test_manage_check_on_a_fresh_data_dir_prints_no_warnings(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "paperfeed.cli", "manage", "check"], env=_fresh_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_loading_the_web_app_prints_no_warnings(tmp_path):
    """What serve and demo do in each worker: whitenoise used to warn about a missing static root."""
    probe = "from paperfeed.wsgi import application; application.get_response"
    proc = subprocess.run([sys.executable, "-c", probe], env=_fresh_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
