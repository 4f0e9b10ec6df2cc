"""Fail when a module outgrows the style guide's hard limits (500 source lines, 1,000 test lines).

Exceptions go in tools/size_allowlist.txt as `path  reason`, one per line.
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMITS = {"src": 500, "tests": 1000}
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
    for line in failures:
        print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
