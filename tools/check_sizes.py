"""Fail when a module or a package outgrows the style guide's hard limits.

A source module has at most 500 lines, a test module 1,000, and a package of ``src/`` at most
12 modules besides its ``__init__.py`` (split by concept before adding the 13th). Exceptions go
in tools/size_allowlist.txt as `path  reason`, one per line.
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMITS = {"src": 500, "tests": 1000}
MODULES_PER_PACKAGE = 12
ROOT = Path(__file__).resolve().parent.parent


def _allowlist() -> set[str]:
    path = ROOT / "tools" / "size_allowlist.txt"
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split()[0] for line in lines if line.strip() and not line.startswith("#")}


def main() -> int:
    allowed = _allowlist()
    failures = []
    for top, limit in LIMITS.items():
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            n = len(path.read_text(encoding="utf-8").splitlines())
            if n > limit and rel not in allowed:
                failures.append(f"{rel}: {n} lines (limit {limit})")
    for package in sorted((ROOT / "src").rglob("__init__.py")):
        rel = package.parent.relative_to(ROOT).as_posix()
        modules = [m for m in package.parent.glob("*.py") if m.name != "__init__.py"]
        if len(modules) > MODULES_PER_PACKAGE and rel not in allowed:
            failures.append(f"{rel}: {len(modules)} modules (limit {MODULES_PER_PACKAGE})")
    for line in failures:
        print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
