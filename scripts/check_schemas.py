"""Check every ``*.json`` schema of a directory against its metaschema (the ``$schema`` it
declares; JSON Schema 2020-12 expected). Usage: ``python scripts/check_schemas.py DIR``.
Exits 1 listing the invalid schemas, 0 otherwise (also when DIR holds no schema yet)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def main(argv: list[str]) -> int:
    """Validate the schemas under ``argv[0]``; return the exit code."""
    directory = Path(argv[0] if argv else "schemas")
    problems = []
    paths = sorted(directory.glob("*.json"))
    for path in paths:
        schema = json.loads(path.read_text(encoding="utf-8"))
        if schema.get("$schema") != DRAFT_2020_12:
            problems.append(f"{path}: $schema is {schema.get('$schema')!r}, not {DRAFT_2020_12}")
            continue
        try:
            validator_for(schema).check_schema(schema)
        except SchemaError as exc:
            problems.append(f"{path}: {exc.message} at /{'/'.join(map(str, exc.absolute_path))}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(paths)} schemas checked, {len(problems)} invalid")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
