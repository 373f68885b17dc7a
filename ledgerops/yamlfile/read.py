"""Read one record file: libyaml's composer for speed, then a walk over the nodes.

The walk keeps each value's line and column and the exact scalar text, so money becomes
Decimal as written and '0123' or 'no' stay the strings the user typed.
"""

from __future__ import annotations

import codecs
import re
from datetime import date, datetime
from decimal import Decimal
from sys import intern as _intern
from typing import Any

import yaml

from ledgerops.core.diagnostics import Diagnostic, Source, diag
from ledgerops.core.located import pack_position, position_source
from ledgerops.core.money import parse_amount
from ledgerops.core.text import YEARS, YEARS_TEXT, has_break_or_control, has_control, is_email, is_id
from ledgerops.yamlfile.schema import Field, Struct

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml: the pure-Python parser, slower
    _Parser = yaml.SafeLoader  # type: ignore[assignment, misc]


# Takes any arguments and returns "", without running Python code.
_IGNORE = "".format


class _Loader(_Parser):
    """libyaml's parser and composer with YAML 1.1's implicit typing switched off.

    The walk reads every scalar's text as written and never a node's tag, so resolving tags
    ('no' is false, '0123' is 83) is wasted work. The composer calls these three hooks once
    per node (PyYAML's _yaml.pyx, _compose_node); a builtin costs less there than a Python
    method, and as it is no descriptor it is called without `self`. Every tag becomes "".
    """

    resolve = _IGNORE
    descend_resolver = _IGNORE
    ascend_resolver = _IGNORE


_SCALAR, _SEQUENCE, _MAPPING = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_INT = re.compile(r"[+-]?[0-9]{1,9}\Z")
_YEARS = YEARS  # a record dated outside is a typo, and date arithmetic stays safe
# YAML 1.1 (libyaml) counts these as line breaks, editors and YAML 1.2 do not.
_ODD_BREAKS = re.compile("[\u2028\u2029\x85]")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# Amounts and dates repeat across a ledger (19 % tax, 1 unit, the same days): each text is
# parsed once per process, and the records share the value.
_AMOUNTS: dict[str, Decimal] = {}
_DATES: dict[str, date] = {}
_BOOLS = {"true": True, "false": False}
_FREE_DEPTH = 8  # how deep free-form notes may nest


class _ChildPaths(dict[str | int, str]):
    """The interned field paths below one path, by key or list index: 'lines' -> 0 -> 'lines.0'.

    Every invoice has the same paths, so each is built and interned once per process
    instead of once per file.
    """

    __slots__ = ("parent",)

    def __init__(self, parent: str) -> None:
        super().__init__()
        self.parent = parent

    def __missing__(self, key: str | int) -> str:
        path = self[key] = _intern(f"{self.parent}.{key}" if self.parent else key)  # type: ignore[arg-type]
        return path


class _PathTree(dict[str, _ChildPaths]):
    def __missing__(self, parent: str) -> _ChildPaths:
        children = self[parent] = _ChildPaths(parent)
        return children


_PATHS = _PathTree()
# Packed positions by libyaml's zero-based line, then column, shared by all files: looking
# one up costs less than packing it, and a position many records have is one int object.
# At most 1000 lines of 160 columns; positions beyond are packed each time.
_POSITIONS: list[list[int]] = []
_SHARED_LINES, _SHARED_COLUMNS = 1000, 160


def _position(mark: Any) -> int:
    """The packed position of a mark that is not in the table yet; adds it when within bounds."""
    line, column = mark.line, mark.column
    if line >= _SHARED_LINES or column >= _SHARED_COLUMNS:
        return pack_position(line + 1, column + 1)
    while len(_POSITIONS) <= line:
        _POSITIONS.append([])
    row = _POSITIONS[line]
    row.extend(pack_position(line + 1, c + 1) for c in range(len(row), column + 1))
    return row[column]


class _Walk:
    """One file's walk: collects diagnostics and the position of every field path."""

    __slots__ = ("diags", "partial", "path", "pos")

    def __init__(self, path: str, partial: bool = False) -> None:
        self.path = path
        self.diags: list[Diagnostic] = []
        self.pos: dict[str, int] = {}
        self.partial = partial  # make records of the fields that read well (read_partial)

    def report(self, code: str, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.diags.append(diag(code, Source(self.path, mark.line + 1, mark.column + 1), message))

    # --- structure ----------------------------------------------------------------------
    def struct(self, node: yaml.Node, spec: Struct, prefix: str) -> Any:
        if node.__class__ is not _MAPPING:
            self.report("wrong-type", node, f"{_name(prefix, spec.name)} should be a mapping of "
                        f"keys to values, not {_describe(node)}")  # fmt: skip
            return None
        fields = spec.field_map
        paths = _PATHS[prefix]
        pos = self.pos
        values: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}
        ok = True
        for key_node, value_node in node.value:
            if key_node.__class__ is not _SCALAR:
                self.report("wrong-type", key_node, "a key must be a plain word, not "
                            + _describe(key_node))  # fmt: skip
                ok = False
                continue
            key = key_node.value
            if key in seen:
                first = seen[key].start_mark.line + 1
                self.report("duplicate-key", key_node, f"'{key}' appears twice (first on line {first})")
                ok = False
                continue
            seen[key] = key_node
            field = fields.get(key)
            if field is None:
                if key == "notes" or key.startswith("x-"):
                    self.free(value_node, 1)
                    continue
                self.report("unknown-key", key_node, f"unknown key '{key}' in {spec.name}"
                            + _suggest(key, fields))  # fmt: skip
                continue
            path = paths[key]
            mark = value_node.start_mark
            try:
                pos[path] = _POSITIONS[mark.line][mark.column]
            except IndexError:
                pos[path] = _position(mark)
            if value_node.__class__ is not _SCALAR:
                value = self.value(value_node, field, path)
            elif not value_node.style and value_node.value in _NULLS:
                if field.required:
                    self.report("missing-field", value_node, f"'{key}' has no value")
                    ok = False
                continue
            else:
                # Most values are scalars of a scalar field: straight to their converter.
                convert = _CONVERT.get(field.kind)
                value = (
                    convert(self, value_node, field, key) if convert else self.value(value_node, field, path)
                )
            if value is None:
                # A record with a wrong field is left out of the whole-ledger checks: with a
                # default in its place they would report errors that are not there.
                ok = False
                continue
            values[key] = value
        for field in spec.required:
            if field.key not in seen:
                self.report("missing-field", node, f"{spec.name} is missing the required "
                            f"field '{field.key}'")  # fmt: skip
                ok = False
        if not ok and not (self.partial and all(f.key in values for f in spec.required)):
            return None
        return spec.make(**values)

    def value(self, node: yaml.Node, field: Field, path: str) -> Any:
        kind = field.kind
        if kind in _CONVERT:
            return self.scalar(node, field, field.key)
        if kind == "struct":
            return self.struct(node, field.item, path)  # type: ignore[arg-type]
        if kind == "list":
            return self.sequence(node, field, path)
        if kind == "map":
            return self.mapping(node, field, path)
        return self.emails(node, field, path)

    def sequence(self, node: yaml.Node, field: Field, path: str) -> tuple[Any, ...] | None:
        if node.__class__ is not _SEQUENCE:
            self.report("wrong-type", node, f"'{field.key}' should be a list, not {_describe(node)}")
            return None
        item = field.item
        of_structs = isinstance(item, Struct)
        paths = _PATHS[path]
        pos = self.pos
        out = []
        ok = True
        for index, child in enumerate(node.value):
            child_path = paths[index]
            mark = child.start_mark
            try:
                pos[child_path] = _POSITIONS[mark.line][mark.column]
            except IndexError:
                pos[child_path] = _position(mark)
            if of_structs:
                value = self.struct(child, item, child_path)  # type: ignore[arg-type]
            else:
                value = self.scalar(child, item, field.key)  # type: ignore[arg-type]
            if value is None:
                ok = False
            else:
                out.append(value)
        return tuple(out) if ok else None

    def mapping(self, node: yaml.Node, field: Field, path: str) -> dict[str, Any] | None:
        if node.__class__ is not _MAPPING:
            self.report("wrong-type", node, f"'{field.key}' should be a mapping, not {_describe(node)}")
            return None
        paths = _PATHS[path]
        pos = self.pos
        out: dict[str, Any] = {}
        ok = True
        for key_node, value_node in node.value:
            key = key_node.value if key_node.__class__ is _SCALAR else None
            if key is None or not is_id(key):
                self.report("invalid-id", key_node, f"'{key}' cannot be used as a name in "
                            f"'{field.key}'")  # fmt: skip
                ok = False
                continue
            if key in out:
                self.report("duplicate-key", key_node, f"'{key}' appears twice in '{field.key}'")
                ok = False
                continue
            child_path = paths[key]
            mark = value_node.start_mark
            try:
                pos[child_path] = _POSITIONS[mark.line][mark.column]
            except IndexError:
                pos[child_path] = _position(mark)
            if _is_null(value_node):
                value_node = yaml.MappingNode("tag:yaml.org,2002:map", [],
                                              value_node.start_mark, value_node.end_mark)  # fmt: skip
            value = self.struct(value_node, field.item, child_path)  # type: ignore[arg-type]
            if value is None:
                ok = False
            else:
                out[key] = value
        return out if ok else None

    def emails(self, node: yaml.Node, field: Field, path: str) -> tuple[str, ...] | None:
        one = Field(field.key, "email", required=True)
        if node.__class__ is _SEQUENCE:
            values = []
            for child in node.value:
                value = self.scalar(child, one, field.key)
                if value is None:
                    return None
                values.append(value)
            if not values and field.required:
                self.report("missing-field", node, f"'{field.key}' needs at least one address")
                return None
            return tuple(values)
        value = self.scalar(node, one, field.key)
        return None if value is None else (value,)

    def free(self, node: yaml.Node, depth: int) -> None:
        """Free-form data under notes / x-*: any shape, but not deeper than a record can be."""
        if depth > _FREE_DEPTH:
            self.report("too-deep", node, f"nested more than {_FREE_DEPTH} levels deep")
            return
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                self.free(child, depth + 1)
        elif isinstance(node, yaml.MappingNode):
            for _, child in node.value:
                self.free(child, depth + 1)

    # --- scalars: each converter gets a ScalarNode and the name of its field ----------------
    def scalar(self, node: yaml.Node, field: Field, name: str) -> Any:
        if node.__class__ is not _SCALAR:
            self.report("wrong-type", node, f"'{name}' should be {_EXPECT[field.kind]}, "
                        f"not {_describe(node)}")  # fmt: skip
            return None
        return _CONVERT[field.kind](self, node, field, name)

    def text(self, node: yaml.ScalarNode, field: Field, name: str) -> str | None:
        """Kinds str, text and enum."""
        text = node.value
        if field.header and has_break_or_control(text):
            self.unsafe(node, name)
            return None
        if has_control(text):
            self.report("unsafe-text", node, f"'{name}' contains a control character (such as ESC); "
                        "it would reach a terminal or an invoice as it is")  # fmt: skip
            return None
        kind = field.kind
        if kind == "enum" and text not in field.choices:
            self.report(field.code, node, f"'{name}' is '{text}'; allowed: " + ", ".join(field.choices))
            return None
        if kind == "str" and not text.strip():
            self.report("missing-field", node, f"'{name}' is empty")
            return None
        return text

    def identifier(self, node: yaml.ScalarNode, field: Field, name: str) -> str | None:
        text = node.value
        if is_id(text):  # an id holds no line break or control character
            return text
        if has_break_or_control(text):
            self.unsafe(node, name)
            return None
        self.report("invalid-id", node, f"'{text}' is not a valid id for '{name}'")
        return None

    def email(self, node: yaml.ScalarNode, field: Field, name: str) -> str | None:
        text = node.value
        if has_break_or_control(text):
            self.unsafe(node, name)
            return None
        if not is_email(text):
            self.report("invalid-email", node, f"'{text}' is not a valid email address")
            return None
        return text

    def unsafe(self, node: yaml.ScalarNode, name: str) -> None:
        self.report("unsafe-text", node, f"'{name}' contains a line break or control "
                    "character; it would end up in an email header")  # fmt: skip

    def decimal(self, node: yaml.ScalarNode, field: Field, name: str) -> Decimal | None:
        text = node.value
        value = _AMOUNTS.get(text)
        if value is None:
            value = parse_amount(text)
            if value is None:
                self.report("invalid-amount", node, f"'{name}' is '{text}', not a decimal number "
                            "of at most 15 digits before the point")  # fmt: skip
                return None
            _AMOUNTS[text] = value
        return value

    def integer(self, node: yaml.ScalarNode, field: Field, name: str) -> int | None:
        text = node.value
        if not node.style and _INT.match(text):
            return int(text)
        self.report("wrong-type", node, f"'{name}' should be a whole number (at most 9 digits), not '{text}'")
        return None

    def boolean(self, node: yaml.ScalarNode, field: Field, name: str) -> bool | None:
        value = None if node.style else _BOOLS.get(node.value.lower())
        if value is None:
            self.report("wrong-type", node, f"'{name}' should be true or false, not '{node.value}'")
        return value

    def date(self, node: yaml.ScalarNode, field: Field, name: str) -> date | None:
        text = node.value
        value = _DATES.get(text)
        if value is not None:
            return value
        if _DATE.match(text):
            try:
                value = date.fromisoformat(text)
            except ValueError:
                value = None
            if value is not None and value.year in _YEARS:
                _DATES[text] = value
                return value
            if value is not None:
                self.report("invalid-date", node, f"'{name}' is {text}: {YEARS_TEXT} was expected")
                return None
        self.report("invalid-date", node, f"'{name}' is '{text}', not a real date (YYYY-MM-DD)")
        return None

    def timestamp(self, node: yaml.ScalarNode, field: Field, name: str) -> datetime | None:
        text = node.value
        try:
            value = datetime.fromisoformat(text) if len(text) > 10 else None
        except ValueError:
            value = None
        if value is None or value.tzinfo is None or value.year not in _YEARS:
            self.report("invalid-timestamp", node, f"'{name}' is '{text}', not a timestamp "
                        "with a UTC offset")  # fmt: skip
            return None
        return value


_CONVERT = {
    "str": _Walk.text, "text": _Walk.text, "id": _Walk.identifier, "email": _Walk.email,
    "enum": _Walk.text, "decimal": _Walk.decimal, "int": _Walk.integer,
    "bool": _Walk.boolean, "date": _Walk.date, "timestamp": _Walk.timestamp,
}  # fmt: skip

_EXPECT = {
    "str": "text", "text": "text", "id": "an id", "email": "an email address",
    "enum": "one word", "decimal": "a number", "int": "a whole number",
    "bool": "true or false", "date": "a date (YYYY-MM-DD)",
    "timestamp": "a timestamp", "emails": "an email address or a list of them",
}  # fmt: skip


def _is_null(node: yaml.Node) -> bool:
    return node.__class__ is _SCALAR and not node.style and node.value in _NULLS


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"'{node.value}'"


def _name(prefix: str, default: str) -> str:
    return f"'{prefix}'" if prefix else f"the {default}"


def _suggest(key: str, fields: dict[str, Field]) -> str:
    import difflib

    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --- whole files ------------------------------------------------------------------------
def read_record(path: str, data: bytes, spec: Struct) -> tuple[Any, list[Diagnostic]]:
    """Parse one record file; returns (record or None, diagnostics). Never raises for bad input."""
    root, problems = _compose(path, data)
    if problems:
        return None, problems
    if root is None or (_is_null(root) and not root.value):
        return None, [diag("empty-file", Source(path), "the file holds no record")]
    walk = _Walk(path)
    if not isinstance(root, yaml.MappingNode):
        walk.report("not-a-mapping", root, f"a {spec.name} file must be a mapping of keys to "
                    f"values, not {_describe(root)}")  # fmt: skip
        return None, walk.diags
    record = walk.struct(root, spec, "")
    if record is not None:
        record = _locate(record, path, walk.pos)
    return record, walk.diags


def read_partial(path: str, data: bytes, spec: Struct) -> tuple[Any, dict[str, str]]:
    """For a record that failed to read on its fields only: the record made of the fields
    that read well, defaults in place of the others (None when a required field is missing),
    and the field path at each written position ("line:col"), so that the rules run on it can
    tell which answers the defaults may have changed (app/load.read_policy)."""
    root, problems = _compose(path, data)
    if problems or root is None or not isinstance(root, yaml.MappingNode):
        return None, {}
    walk = _Walk(path, partial=True)
    record = walk.struct(root, spec, "")
    if record is None:
        return None, {}
    record = _locate(record, path, walk.pos)
    fields: dict[str, str] = {}
    for field_path, packed in walk.pos.items():
        source = position_source(path, packed)
        fields.setdefault(f"{source.line}:{source.col}", field_path)
    return record, fields


def read_data(path: str, data: bytes) -> tuple[Any, list[Diagnostic]]:
    """Plain data (dicts, lists, scalars as the text written, None for null) from a YAML
    file that is not a record, such as a milestone event; the same hazards are refused."""
    root, problems = _compose(path, data)
    if problems:
        return None, problems
    walk = _Walk(path)
    value = _plain(root, walk, 1)
    return (None, walk.diags) if walk.diags else (value, [])


def _compose(path: str, data: bytes) -> tuple[yaml.Node | None, list[Diagnostic]]:
    """The node tree of a file, or why it has none: encoding, hazards, syntax."""
    text, problem = _decode(path, data)
    if problem:
        return None, [problem]
    hazards = _hazards(path, text) or _odd_line_breaks(path, text)
    if hazards:
        return None, hazards
    try:
        root = yaml.compose(text, Loader=_Loader)  # type: ignore[arg-type]  # the stubs name only PyYAML's own loaders
    except yaml.MarkedYAMLError as error:
        return None, [_syntax(path, error)]
    except yaml.reader.ReaderError as error:
        return None, [diag("encoding", _offset_source(path, text, error.position),
                           f"character {error.character!r} is not allowed in YAML")]  # fmt: skip
    except yaml.YAMLError as error:
        return None, [diag("yaml-syntax", Source(path), str(error))]
    tabs = _ruamel_rejects(path, text) if "\t" in text else []
    return (None, tabs) if tabs else (root, [])


def _plain(node: yaml.Node | None, walk: _Walk, depth: int) -> Any:
    if node is None or _is_null(node):
        return None
    if depth > _FREE_DEPTH:
        walk.report("too-deep", node, f"nested more than {_FREE_DEPTH} levels deep")
        return None
    if isinstance(node, yaml.SequenceNode):
        return [_plain(child, walk, depth + 1) for child in node.value]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None or key in out:
                walk.report("duplicate-key" if key else "wrong-type", key_node,
                            f"'{key}' appears twice" if key else "a key must be a plain word")  # fmt: skip
                continue
            out[key] = _plain(value_node, walk, depth + 1)
        return out
    return node.value


def _locate(record: Any, path: str, pos: dict[str, int]) -> Any:
    object.__setattr__(record, "path", path)
    object.__setattr__(record, "pos", pos)
    return record


def _decode(path: str, data: bytes) -> tuple[str, Diagnostic | None]:
    # A byte order mark is dropped here rather than by 'utf-8-sig', a codec written in
    # Python; positions are counted after it, as editors show them.
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError as error:
        good = body[: error.start].decode("utf-8", "replace")
        return "", diag("encoding", _offset_source(path, good, len(good)),
                        f"byte 0x{body[error.start]:02x} is not UTF-8")  # fmt: skip


def _offset_source(path: str, text: str, offset: int) -> Source:
    before = text[:offset]
    line = before.count("\n") + 1
    return Source(path, line, offset - (before.rfind("\n") + 1) + 1)


def _syntax(path: str, error: yaml.MarkedYAMLError) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if "expected a single document" in str(error.context):
        return diag("multiple-documents", Source(path, line, col),
                    "a second YAML document starts here")  # fmt: skip
    message = " ".join(p for p in (error.context, error.problem) if p)
    return diag("yaml-syntax", Source(path, line, col), message or "invalid YAML")


def _odd_line_breaks(path: str, text: str) -> list[Diagnostic]:
    """Characters libyaml reads as line breaks but editors and YAML 1.2 do not: found up
    front, so a diagnostic's line number is the one the user's editor shows."""
    if text.isascii():  # the usual file, told in constant time
        return []
    return [
        diag(
            "odd-line-break",
            _offset_source(path, text, match.start()),
            f"character U+{ord(match.group()):04X} is read as a line break by some YAML tools",
        )
        for match in _ODD_BREAKS.finditer(text)
    ]


def _ruamel_rejects(path: str, text: str) -> list[Diagnostic]:
    """libyaml accepts tabs as spacing where ruamel.yaml, the round-trip editor, does not;
    `check` must not pass a file that `pay` or `run` then cannot edit. Only files with a
    tab pay for this second parse."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        YAML(typ="rt").compose(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return [diag("tab-character", Source(path, line, col),
                     "a tab used as indentation or spacing; use spaces")]  # fmt: skip
    return []


def _hazards(path: str, text: str) -> list[Diagnostic]:
    """Anchors, aliases, tags and directives, found from the event stream.

    Only files that contain one of the marker characters pay for the event pass.
    """
    if "&" not in text and "*" not in text and "!" not in text and "%" not in text:
        return []
    found: list[Diagnostic] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):  # type: ignore[arg-type]  # the stubs name only PyYAML's own loaders
            mark = event.start_mark
            assert mark is not None  # the parser marks every event it yields
            where = Source(path, mark.line + 1, mark.column + 1)
            if isinstance(event, yaml.AliasEvent):
                found.append(diag("yaml-alias", where, f"alias '*{event.anchor}'"))
                continue
            if isinstance(event, yaml.DocumentStartEvent) and (event.version or event.tags):
                found.append(diag("yaml-directive", Source(path, 1, 1), "a %YAML or %TAG directive"))
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                found.append(diag("yaml-alias", where, f"anchor '&{anchor}'"))
            tag = getattr(event, "tag", None)
            if tag is not None and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0]):
                found.append(diag("yaml-tag", where, f"tag '{tag}'"))
    except yaml.YAMLError:
        pass  # compose reports the syntax error with its position
    return found
