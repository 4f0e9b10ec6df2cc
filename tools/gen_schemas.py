"""Write the JSON Schemas of KetaPath's files into schemas/ (or check that they are current).

    python tools/gen_schemas.py            # regenerate schemas/*.schema.json
    python tools/gen_schemas.py --check    # exit 1 when a committed schema differs

Generated from the pydantic models in `ketapath.interop`: never edit the JSON files by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ketapath.interop.findings_json import findings_json_schema
from ketapath.interop.patient_file import patient_json_schema
from ketapath.interop.regimen_file import regimen_json_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "patient.schema.json": patient_json_schema,
    "findings.schema.json": findings_json_schema,
    "regimen.schema.json": regimen_json_schema,
}


def render(schema: dict[str, Any]) -> str:
    """The schema as committed: two-space indent, keys in model order, a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a schema file is stale")
    parser.add_argument("--out", type=Path, default=ROOT / "schemas", help="output folder")
    args = parser.parse_args(argv)
    stale = []
    for name, build in SCHEMAS.items():
        path = args.out / name
        text = render(build())
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(name)
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    for name in stale:
        print(f"{name} is stale: run python tools/gen_schemas.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
