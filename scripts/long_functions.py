#!/usr/bin/env python3
"""Fail when a function in paperfeed/ runs over the line limit (default 60): long functions hide phases.

Usage: python scripts/long_functions.py [LIMIT]. Prints each offender as ``lines path:line name``.
Migrations are generated code and do not count.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "paperfeed"


def long_functions(limit: int) -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > limit:
                    found.append(f"{lines:4d} {path.relative_to(ROOT.parent)}:{node.lineno} {node.name}")
    return found


if __name__ == "__main__":
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    offenders = long_functions(limit)
    print("\n".join(offenders) or f"no function in paperfeed/ over {limit} lines")
    sys.exit(1 if offenders else 0)
