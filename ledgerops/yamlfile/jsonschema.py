"""JSON Schema (draft 2020-12) of each record, made from the same specs the reader walks."""

from __future__ import annotations

from typing import Any

from ledgerops.yamlfile.schema import RECORDS, Field, Struct

_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
_DECIMAL_PATTERN = "^[+-]?[0-9]+(\\.[0-9]+)?$"
# `check` reads a text field as the text typed, quoted or not (docs/spec.md §4.3): a PO number
# `00471` stays "00471", a name `no` stays "no". An editor reads YAML 1.2, where an unquoted
# 00471 is the number 471 and `true` a boolean, so the schema accepts those for text and ids
# too: the editor and `check` agree on what passes.
_UNQUOTED = ["string", "number", "boolean"]
_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"type": _UNQUOTED, "minLength": 1},
    "text": {"type": _UNQUOTED},
    "id": {"type": ["string", "integer"], "pattern": _ID_PATTERN},
    "email": {"type": "string", "format": "email"},
    # Written unquoted, an amount reaches an editor as a number; quoted, as a string.
    "decimal": {"type": ["number", "string"], "pattern": _DECIMAL_PATTERN},
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "timestamp": {"type": "string", "format": "date-time"},
}


def record_schema(name: str) -> dict[str, Any]:
    spec = RECORDS[name]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://ledgerops.invalid/schemas/{name}.schema.json",
        "title": f"ledgerops {name}",
        "description": spec.doc,
    }
    schema.update(_struct(spec))
    return schema


def _struct(spec: Struct) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {field.key: _field(field) for field in spec.fields},
        "required": [field.key for field in spec.fields if field.required],
        # Free-form data is allowed under notes and x-* keys (docs/spec.md §2.6).
        "patternProperties": {"^x-": {}, "^notes$": {}},
        "additionalProperties": False,
    }


def _field(field: Field) -> dict[str, Any]:
    if field.kind == "struct":
        out = _struct(field.item)  # type: ignore[arg-type]
    elif field.kind == "list":
        out = {"type": "array", "items": _item(field.item)}
    elif field.kind == "map":
        out = {
            "type": "object",
            "propertyNames": {"pattern": _ID_PATTERN},
            "additionalProperties": _item(field.item),
        }
    elif field.kind == "emails":
        one = _SCALARS["email"]
        out = {"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]}
    elif field.kind == "enum":
        out = {"enum": list(field.choices)}
    else:
        out = dict(_SCALARS[field.kind])
    if field.doc:
        out["description"] = field.doc
    return out


def _item(item: Field | Struct | None) -> dict[str, Any]:
    if isinstance(item, Struct):
        return _struct(item)
    return _field(item) if item is not None else {}
