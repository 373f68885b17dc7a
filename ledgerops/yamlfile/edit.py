"""Round-trip edits of tool-owned keys in a user's YAML, and new record files.

Pure text -> text: the caller reads the bytes, calls `edit_text`, and writes the result
atomically, refused if the file changed since it was read. Lines the edit did not touch keep their exact bytes.
Each change is spliced into the text at the position of its YAML node: an appended item
right after the list's last item, at that item's column and dash offset; a new key after
the value of the key before it; a new scalar in place of the old one; a removed key with
its lines. ruamel.yaml renders the new text. (Letting ruamel rewrite the whole file would
re-indent every list to one style and drop some comments.) What the splice does not handle
(a `[...]` list, an empty or multi-line value, a flow-style file) is edited by ruamel, and
its output is merged into the original text line by line (yamlfile/merge.py). A guard
re-parses the result and refuses it unless exactly the intended keys changed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

from ledgerops.core.errors import EditRefused
from ledgerops.yamlfile.merge import merge
from ledgerops.yamlfile.schema import Struct

Scalar = str | int | bool | Decimal | date | datetime
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_NULL = "tag:yaml.org,2002:null"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Text written without quotes: words, sentences, ids. Anything else (and text a YAML 1.1
# or 1.2 reader would take for a number, date or boolean) is written in double quotes.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/@+()-]*[A-Za-z0-9.)]\Z|[A-Za-z]\Z")
_WORDS_READ_AS_VALUES = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null)\Z")


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
    newline = _newline(text)
    original = text.replace(newline, "\n") if newline != "\n" else text
    # Every line ends with a break while editing, so lines added at the end stay lines.
    unterminated = not original.endswith("\n")
    original += "\n" if unterminated else ""
    spliced, rest = _splice_changes(original, changes, key_order)
    result = _ruamel_edit(spliced, rest, key_order) if rest else spliced
    _guard(original, result, changes)
    result = result.removesuffix("\n") if unterminated else result
    return result.replace("\n", newline) if newline != "\n" else result


def _newline(text: str) -> str:
    """The file's line break: CRLF, a lone CR (old Mac files) or LF."""
    if "\r\n" in text:
        return "\r\n"
    return "\r" if "\r" in text and "\n" not in text else "\n"


def _ruamel_edit(text: str, changes: Sequence[Change], key_order: Sequence[str]) -> str:
    ruamel = _yaml(*_indentation(text))
    try:
        doc = ruamel.load(text)
    except RuamelError as error:
        raise EditRefused(f"the file is not valid YAML ({error.__class__.__name__})") from error
    if not isinstance(doc, CommentedMap):
        raise EditRefused("the file does not hold a mapping of keys to values")
    before = _dump(ruamel, doc)
    for change in changes:
        _apply(doc, change, key_order)
    return merge(text, before, _dump(ruamel, doc))


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
    last = items[-1] if items else None
    flow = not isinstance(last, CommentedMap) or last.fa.flow_style()
    pairs = last.items() if isinstance(last, CommentedMap) else ()
    quoted = {key: type(value) for key, value in pairs if type(value) in _QUOTED.values()}
    items.append(_new_item(change, flow, quoted))


_QUOTED = {'"': DoubleQuotedScalarString, "'": SingleQuotedScalarString}


def _new_item(change: AppendItem, flow: bool, quoted: Mapping[str, type]) -> CommentedMap:
    """The item as a node that follows the list's habit: {...} or block style like the item
    one up (the tool's own default is one {...} line), each text quoted like the same key
    one item up."""
    item = _node(dict(change.item), flow)
    for key, value in item.items():
        if type(value) is str and key in quoted:
            item[key] = quoted[key](value)
    return item


def _put(doc: CommentedMap, key: str, value: Any, key_order: Sequence[str]) -> None:
    if key in doc:
        doc[key] = value
        return
    doc.insert(_position(list(doc), key, key_order), key, value)


def _position(keys: Sequence[str], key: str, key_order: Sequence[str]) -> int:
    """Where a new key goes: after the last present key that precedes it in `key_order`."""
    if key not in key_order:
        return len(keys)
    earlier = set(key_order[: key_order.index(key)])
    present = [index for index, name in enumerate(keys) if name in earlier]
    return present[-1] + 1 if present else 0


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


# --- splicing at node positions -----------------------------------------------------------
_ITEM_LEAD = re.compile(r"( *)-( +)\Z")
_COMMENT_GAP = re.compile(r"( +)#")


def _splice_changes(
    text: str, changes: Sequence[Change], key_order: Sequence[str]
) -> tuple[str, list[Change]]:
    """The text with every change it can make as a splice at node positions, and the
    changes left for ruamel. A change is left to ruamel, in order, once an earlier change
    of the same key was (a list removed and rebuilt, say)."""
    rest: list[Change] = []
    for change in changes:
        if all(other.key != change.key for other in rest):
            spliced = _splice(text, change, key_order)
            if spliced is not None:
                text = spliced
                continue
        rest.append(change)
    return text, rest


def _splice(text: str, change: Change, key_order: Sequence[str]) -> str | None:
    """The text with the change made as text, or None when the layout is one the splice
    does not handle (a flow-style file or list, a multi-line value, a duplicate key)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None  # ruamel's load reports it
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return None
    margin = _key_margin(text, root)
    found = [(key, value) for key, value in root.value if key.value == change.key]
    if margin is None or len(found) > 1:
        return None
    if not found:
        return text if isinstance(change, RemoveKey) else _insert_key(text, root, margin, change, key_order)
    key, value = found[0]
    if isinstance(change, RemoveKey):
        start = key.start_mark.index - margin
        return text[:start] + text[_after_line(text, _last_leaf(value).end_mark.index) :]
    if isinstance(change, SetValue):
        if not isinstance(value, yaml.ScalarNode):
            raise EditRefused(f"'{change.key}' holds a list or mapping, not a single value")
        return _replace_scalar(text, value, change)
    if isinstance(value, yaml.ScalarNode) and value.tag != _NULL:
        raise EditRefused(f"'{change.key}' is not a list")
    if not isinstance(value, yaml.SequenceNode) or value.flow_style or not value.value:
        return None
    return _append_item(text, value.value[-1], change)


def _key_margin(text: str, root: Any) -> int | None:
    """The spaces before every top-level key (none unless the whole file is indented);
    None when a key shares its line with other text."""
    leads = {
        text[text.rfind("\n", 0, key.start_mark.index) + 1 : key.start_mark.index] for key, _ in root.value
    }
    lead = leads.pop() if len(leads) == 1 else "-"
    return len(lead) if not lead.strip(" ") else None


def _insert_key(
    text: str, root: Any, margin: int, change: SetValue | AppendItem, key_order: Sequence[str]
) -> str:
    """A new key after the line where the value of the key before it ends (or before the
    first key), written with the file's own list indentation."""
    if isinstance(change, AppendItem):
        node = CommentedSeq([_new_item(change, True, {})])
    else:
        node = _node(change.value, False)
    body = _dump(_yaml(*_indentation(text)), CommentedMap([(change.key, node)]))
    position = _position([key.value for key, _ in root.value], change.key, key_order)
    if position == 0:
        cut = root.value[0][0].start_mark.index - margin
    else:
        cut = _after_line(text, _last_leaf(root.value[position - 1][1]).end_mark.index)
    return text[:cut] + _indented(body, " " * margin, " " * margin) + text[cut:]


def _replace_scalar(text: str, value: Any, change: SetValue) -> str | None:
    """The value's text replaced in place; a comment after it keeps its column."""
    start, end = value.start_mark.index, value.end_mark.index
    if "\n" in text[start:end]:
        return None
    body = _dump(_yaml(2, 4, 2), CommentedMap([(change.key, _node(change.value, False))]))
    prefix = f"{change.key}: "
    if not body.startswith(prefix) or body.count("\n") != 1:
        return None  # a multi-line value: ruamel writes it
    new = (" " if start == end and text[start - 1] == ":" else "") + body[len(prefix) : -1]
    gap = _COMMENT_GAP.match(text, end)
    if gap is None:
        return text[:start] + new + text[end:]
    spaces = max(1, len(gap.group(1)) - len(new) + (end - start))
    return text[:start] + new + " " * spaces + text[gap.end(1) :]


def _append_item(text: str, last: Any, change: AppendItem) -> str | None:
    """The item after the line where the list's last item ends, at that item's column and
    dash offset, in its style (flow or block, the same keys quoted)."""
    start = last.start_mark.index
    lead = _ITEM_LEAD.match(text, text.rfind("\n", 0, start) + 1, start)
    if lead is None:
        return None
    flow = not isinstance(last, yaml.MappingNode) or bool(last.flow_style)
    pairs = last.value if isinstance(last, yaml.MappingNode) else ()
    quoted = {
        key.value: _QUOTED[value.style]
        for key, value in pairs
        if isinstance(value, yaml.ScalarNode) and value.style in _QUOTED
    }
    body = _dump(_yaml(2, 4, 2), _new_item(change, flow, quoted))
    cut = _after_line(text, _last_leaf(last).end_mark.index)
    return text[:cut] + _indented(body, lead.group(0), " " * len(lead.group(0))) + text[cut:]


def _indented(body: str, first: str, other: str) -> str:
    """`body`'s lines with `first` before the first line and `other` before the rest."""
    lines = body.split("\n")[:-1]
    return "".join((first if n == 0 else other if line else "") + line + "\n" for n, line in enumerate(lines))


def _after_line(text: str, index: int) -> int:
    """Where the line holding `index` ends, after its line break."""
    return index if text[index - 1] == "\n" else text.index("\n", index) + 1


def _last_leaf(node: Any) -> Any:
    """The node written last inside a block node: where its text ends."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


# --- dumping ------------------------------------------------------------------------------
def _yaml(mapping: int, sequence: int, offset: int) -> YAML:
    ruamel = YAML(typ="rt")
    ruamel.preserve_quotes = True
    ruamel.width = 4096  # never re-wrap a user's long line
    ruamel.indent(mapping=mapping, sequence=sequence, offset=offset)
    ruamel.representer.add_representer(Decimal, _represent_decimal)
    ruamel.representer.add_representer(datetime, _represent_timestamp)
    ruamel.representer.add_representer(date, _represent_timestamp)
    # Records hold no aliases (check refuses them), even where one value appears twice.
    ruamel.representer.ignore_aliases = lambda data: True
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
    for line in text.split("\n"):
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
