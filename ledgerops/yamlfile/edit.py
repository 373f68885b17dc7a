"""Round-trip edits of tool-owned keys in a user's YAML, and new record files.

Pure text -> text: the caller reads the bytes, calls `edit_text`, and writes the result
atomically with the digest it read. ruamel.yaml does the edit; its output is then spliced
into the original text line by line (a three-way merge), so lines the edit did not touch
keep their exact bytes even where ruamel would normalise them. A guard re-parses the
result and refuses it unless exactly the intended keys changed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

from ledgerops.yamlfile.schema import Struct

Scalar = str | int | bool | Decimal | date | datetime
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Text written without quotes: words, sentences, ids. Anything else (and text a YAML 1.1
# or 1.2 reader would take for a number, date or boolean) is written in double quotes.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/@+()-]*[A-Za-z0-9.)]\Z|[A-Za-z]\Z")
_WORDS_READ_AS_VALUES = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null)\Z")


class EditRefused(Exception):
    """The edit could not be made without changing more than the tool-owned keys."""


@dataclass(frozen=True, slots=True)
class SetValue:
    key: str
    value: Scalar


@dataclass(frozen=True, slots=True)
class RemoveKey:
    key: str


@dataclass(frozen=True, slots=True)
class AppendItem:
    """Append a mapping to the list under `key` (created when missing)."""

    key: str
    item: tuple[tuple[str, Scalar], ...]

    @classmethod
    def of(cls, key: str, item: Mapping[str, Scalar | None]) -> AppendItem:
        return cls(key, tuple((k, v) for k, v in item.items() if v is not None))


Change = SetValue | RemoveKey | AppendItem


def edit_text(text: str, changes: Sequence[Change], key_order: Sequence[str] = ()) -> str:
    """The text with `changes` applied to its top-level mapping.

    A key that does not exist yet goes after the last present key that precedes it in
    `key_order` (the record's documented order), or at the end.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    original = text.replace("\r\n", "\n")
    ruamel = _yaml(*_indentation(original))
    try:
        doc = ruamel.load(original)
    except RuamelError as error:
        raise EditRefused(f"the file is not valid YAML ({error.__class__.__name__})") from error
    if not isinstance(doc, CommentedMap):
        raise EditRefused("the file does not hold a mapping of keys to values")
    before = _dump(ruamel, doc)
    for change in changes:
        _apply(doc, change, key_order)
    result = _merge(original, before, _dump(ruamel, doc))
    _guard(original, result, changes)
    return result.replace("\n", newline) if newline != "\n" else result


def new_text(values: Mapping[str, Any], flow_keys: Iterable[str] = ()) -> str:
    """A new record file, keys in the order of `values`; lists under `flow_keys` hold
    `{...}` items (as the tool writes payments and reminders), others block mappings."""
    flow = frozenset(flow_keys)
    doc = CommentedMap()
    for key, value in values.items():
        if value is not None:
            doc[key] = _node(value, key in flow)
    text = _dump(_yaml(2, 4, 2), doc)
    expected = ("map", tuple((k, _expected(v)) for k, v in values.items() if v is not None))
    if _tree(text) != expected:
        raise EditRefused("the new file would not read back as the values it was made from")
    return text


FLOW_LISTS = ("payments", "reminders", "late_fees")  # the tool writes their items as {...} lines


def record_text(record: Any, spec: Struct) -> str:
    """A new file for a record, keys in the schema's documented order, empty fields left out."""
    return new_text(_record_values(record, spec), FLOW_LISTS)


def record_key_order(spec: Struct) -> list[str]:
    return [field.key for field in spec.fields]


def _record_values(record: Any, spec: Struct) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in spec.fields:
        value = getattr(record, field.key)
        if value is None or value == () or value == {}:
            continue
        if isinstance(field.item, Struct) and field.kind == "list":
            value = [_record_values(item, field.item) for item in value]
        elif isinstance(field.item, Struct) and field.kind == "struct":
            value = _record_values(value, field.item)
        elif field.kind == "emails":
            value = value[0] if len(value) == 1 else list(value)
        values[field.key] = value
    return values


# --- applying changes ---------------------------------------------------------------------
def _apply(doc: CommentedMap, change: Change, key_order: Sequence[str]) -> None:
    if isinstance(change, RemoveKey):
        doc.pop(change.key, None)
        return
    if isinstance(change, SetValue):
        if isinstance(doc.get(change.key), (CommentedMap, CommentedSeq)):
            raise EditRefused(f"'{change.key}' holds a list or mapping, not a single value")
        _put(doc, change.key, _node(change.value, False), key_order)
        return
    items = doc.get(change.key)
    if items is None:
        items = CommentedSeq()
        _put(doc, change.key, items, key_order)
    if not isinstance(items, CommentedSeq):
        raise EditRefused(f"'{change.key}' is not a list")
    # New items follow the file's habit; the tool's own default is one {...} line per item.
    last = items[-1] if items else None
    flow = not isinstance(last, CommentedMap) or last.fa.flow_style()
    item = _node(dict(change.item), flow)
    if isinstance(last, CommentedMap):
        for key, value in item.items():
            if type(value) is str and isinstance(
                last.get(key), (DoubleQuotedScalarString, SingleQuotedScalarString)
            ):
                item[key] = type(last[key])(value)  # quoted like the same key one item up
    items.append(item)


def _put(doc: CommentedMap, key: str, value: Any, key_order: Sequence[str]) -> None:
    if key in doc:
        doc[key] = value
        return
    keys = list(doc)
    position = len(keys)
    if key in key_order:
        earlier = set(key_order[: key_order.index(key)])
        present = [index for index, name in enumerate(keys) if name in earlier]
        position = present[-1] + 1 if present else 0
    doc.insert(position, key, value)


def _node(value: Any, flow: bool) -> Any:
    """A value as ruamel should write it: mappings, lists, or a scalar that reads back exactly."""
    if isinstance(value, Mapping):
        node = CommentedMap((k, _node(v, False)) for k, v in value.items() if v is not None)
        if flow:
            node.fa.set_flow_style()
        return node
    if isinstance(value, (list, tuple)):
        items = CommentedSeq(_node(item, flow) for item in value)
        if not any(isinstance(item, Mapping) for item in value):
            items.fa.set_flow_style()
        return items
    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value if value.endswith("\n") else value + "\n")
        plain = _PLAIN.match(value) and not _WORDS_READ_AS_VALUES.match(value)
        return value if plain else DoubleQuotedScalarString(value)
    return value


# --- dumping ------------------------------------------------------------------------------
def _yaml(mapping: int, sequence: int, offset: int) -> YAML:
    ruamel = YAML(typ="rt")
    ruamel.preserve_quotes = True
    ruamel.width = 4096  # never re-wrap a user's long line
    ruamel.indent(mapping=mapping, sequence=sequence, offset=offset)
    ruamel.representer.add_representer(Decimal, _represent_decimal)
    ruamel.representer.add_representer(datetime, _represent_timestamp)
    ruamel.representer.add_representer(date, _represent_timestamp)
    return ruamel


def _represent_decimal(representer: Any, value: Decimal) -> Any:
    text = _decimal_text(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return representer.represent_scalar(tag, text)


def _represent_timestamp(representer: Any, value: date) -> Any:
    return representer.represent_scalar(_TIMESTAMP, value.isoformat())


def _decimal_text(value: Decimal) -> str:
    return f"{value:f}"


def _dump(ruamel: YAML, doc: Any) -> str:
    stream = io.StringIO()
    ruamel.dump(doc, stream)
    return stream.getvalue()


_KEY_LINE = re.compile(r"( *)[^ #\-][^:#]*:\s*(#.*)?$")
_ITEM_LINE = re.compile(r"( *)- ")
_CONTENT_LINE = re.compile(r"( *)[^ #]")


def _indentation(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file already writes them."""
    mapping = offset = None
    parent: int | None = None
    for line in text.splitlines():
        content = _CONTENT_LINE.match(line)
        if content is None:
            continue
        indent = len(content.group(1))
        if parent is not None and indent >= parent:
            item = _ITEM_LINE.match(line)
            if item and offset is None:
                offset = indent - parent
            elif not item and indent > parent and mapping is None:
                mapping = indent - parent
        key = _KEY_LINE.match(line)
        parent = len(key.group(1)) if key else None
        if mapping is not None and offset is not None:
            break
    mapping = mapping or 2
    offset = 2 if offset is None else offset
    return mapping, offset + 2, offset


# --- the merge ----------------------------------------------------------------------------
def _merge(original: str, before: str, after: str) -> str:
    """Three-way merge by lines: `before` is ruamel's unedited dump (the base), `original`
    holds the user's formatting, `after` holds the edit. Where only the edit changed a
    region, take it; where only formatting differs, keep the user's text; where both
    differ, the edited (normalised) region wins."""
    if before == original:
        return after
    base = before.splitlines(keepends=True)
    mine = original.splitlines(keepends=True)
    edited = after.splitlines(keepends=True)
    to_mine = _line_map(base, mine)
    to_edited = _line_map(base, edited)
    out: list[str] = []
    last = (-1, -1, -1)
    anchors = [(i, to_mine[i], to_edited[i]) for i in range(len(base)) if i in to_mine and i in to_edited]
    for anchor in [*anchors, (len(base), len(mine), len(edited))]:
        b_lines = base[last[0] + 1 : anchor[0]]
        m_lines = mine[last[1] + 1 : anchor[1]]
        e_lines = edited[last[2] + 1 : anchor[2]]
        out.extend(_merge_region(b_lines, m_lines, e_lines))
        if anchor[0] < len(base):
            out.append(mine[anchor[1]])
        last = anchor
    return "".join(out)


def _merge_region(base: list[str], mine: list[str], edited: list[str]) -> list[str]:
    if mine == base:
        return edited
    if edited == base:
        return mine
    if len(mine) == len(base):
        # Line for line, the user's text is ruamel's with other spacing or quoting: keep
        # the user's lines wherever the edit left ruamel's line alone.
        out: list[str] = []
        matcher = SequenceMatcher(None, base, edited, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            out.extend(mine[i1:i2] if tag == "equal" else edited[j1:j2])
        return out
    return edited


def _line_map(left: list[str], right: list[str]) -> dict[int, int]:
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    return {block.a + k: block.b + k for block in matcher.get_matching_blocks() for k in range(block.size)}


# --- the guard ----------------------------------------------------------------------------
def _guard(original: str, result: str, changes: Sequence[Change]) -> None:
    before, after = _tree(original), _tree(result)
    if before[0] != "map" or after[0] != "map":
        raise EditRefused("the edit did not keep the file a mapping")
    expected = dict(before[1])
    for change in changes:
        if isinstance(change, RemoveKey):
            expected.pop(change.key, None)
        elif isinstance(change, SetValue):
            expected[change.key] = _expected(change.value)
        else:
            old = expected.get(change.key, ("seq", ()))
            expected[change.key] = ("seq", (*old[1], _expected(dict(change.item))))
    got = dict(after[1])
    if got != expected:
        changed = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
        raise EditRefused(f"the edit would change more than intended ({', '.join(changed)})")
    kept = [key for key, _ in before[1] if key in got]
    if [key for key, _ in after[1] if key in kept] != kept:
        raise EditRefused("the edit would reorder the file's keys")


def _tree(text: str) -> Any:
    """The file as the reader sees it: scalars as (resolved tag, text as written)."""
    try:
        return _node_tree(yaml.compose(text, Loader=_Loader))
    except yaml.YAMLError as error:
        raise EditRefused(f"the edited file would not be valid YAML ({error})") from error


def _node_tree(node: Any) -> Any:
    if isinstance(node, yaml.MappingNode):
        return ("map", tuple((key.value, _node_tree(value)) for key, value in node.value))
    if isinstance(node, yaml.SequenceNode):
        return ("seq", tuple(_node_tree(item) for item in node.value))
    if node is None:
        return ("null", "")
    return (node.tag, node.value)


def _expected(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ("map", tuple((k, _expected(v)) for k, v in value.items() if v is not None))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(_expected(item) for item in value))
    if isinstance(value, bool):
        return ("tag:yaml.org,2002:bool", "true" if value else "false")
    if isinstance(value, int):
        return ("tag:yaml.org,2002:int", str(value))
    if isinstance(value, Decimal):
        text = _decimal_text(value)
        return ("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)
    if isinstance(value, (date, datetime)):
        return (_TIMESTAMP, value.isoformat())
    if isinstance(value, str) and "\n" in value:
        return (_STR, value if value.endswith("\n") else value + "\n")
    return (_STR, value)
