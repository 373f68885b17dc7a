"""`ledgerops schema`: JSON Schema files for editors (VS Code's YAML extension)."""

from __future__ import annotations

import json
from pathlib import Path

from ledgerops.edge.store import write_atomic
from ledgerops.yamlfile.jsonschema import record_schema
from ledgerops.yamlfile.schema import RECORDS


def text(record: str) -> str:
    return json.dumps(record_schema(record), indent=2) + "\n"


def write(output_dir: Path, record: str | None = None) -> list[Path]:
    written = []
    for name in [record] if record else list(RECORDS):
        path = output_dir / f"{name}.schema.json"
        write_atomic(path, text(name).encode())
        written.append(path)
    return written
