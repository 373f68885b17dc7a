"""GitHub Actions expressions (`${{ … }}`), evaluated the way the runner does for the parts our
workflows use: contexts, property and index access, the `.*` filter, the operators, and the
common functions. Anything else raises, so a workflow can't silently rely on a case we fake."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>0x[0-9a-fA-F]+|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<str>'(?:[^']|'')*')
    | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\].,*])
    | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)
_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")


class ExpressionError(Exception):
    """An expression the harness cannot evaluate (a typo, or a feature we don't fake)."""


def evaluate(text: str, contexts: Mapping[str, Any], status: str = "success") -> Any:
    """The value of one expression (without the `${{ }}`); `status` is the job's so far."""
    parser = _Parser(_tokens(text), contexts, status)
    value = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek()!r} in {text!r}")
    return value


def interpolate(text: str, contexts: Mapping[str, Any]) -> str:
    """`text` with every `${{ expr }}` replaced by its value as a string, as the runner does."""
    return _TEMPLATE.sub(lambda m: to_text(evaluate(m.group(1), contexts)), text)


def condition(text: str | bool | None, contexts: Mapping[str, Any], status: str) -> bool:
    """An `if:` value: optional `${{ }}`, and an implied `success() &&` without a status function."""
    if text is None:
        text = "success()"
    if isinstance(text, bool):
        return text and status == "success"
    inner = text.strip()
    match = _TEMPLATE.fullmatch(inner)
    if match:
        inner = match.group(1).strip()
    if not any(re.search(rf"\b{name}\s*\(", inner) for name in _STATUS_FUNCTIONS):
        inner = f"success() && ({inner})"
    return truthy(evaluate(inner, contexts, status))


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "") or isinstance(value, (dict, list))


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot read {text[pos:]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(int(value, 16)) if value.lower().startswith("0x") else float(value or 0)
        except ValueError:
            return math.nan
    return math.nan


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right) or isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return left is right if isinstance(left, (dict, list)) else left == right
    return _number(left) == _number(right)


def _property(value: Any, name: str) -> Any:
    if isinstance(value, list) and getattr(value, "filtered", False):
        return _Filtered(_property(item, name) for item in value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and key.casefold() == name.casefold():
                return item
    return None


class _Filtered(list):
    """The result of `.*`: a following `.name` applies to each element."""

    filtered = True


def _contains(search: Any, item: Any) -> bool:
    if isinstance(search, list):
        return any(_equal(element, item) for element in search)
    return to_text(item).casefold() in to_text(search).casefold()


def _format(template: str, *args: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: to_text(args[int(m.group(1))]), template)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": _contains,
    "startswith": lambda s, p: to_text(s).casefold().startswith(to_text(p).casefold()),
    "endswith": lambda s, p: to_text(s).casefold().endswith(to_text(p).casefold()),
    "format": _format,
    "join": lambda items, sep=",": (
        sep.join(map(to_text, items)) if isinstance(items, list) else to_text(items)
    ),
    "tojson": lambda value: json.dumps(value, indent=2),
    "fromjson": json.loads,
}


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], contexts: Mapping[str, Any], status: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.contexts = contexts
        self.status = status

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ExpressionError("the expression ends too early")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise ExpressionError(f"expected {expected!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def expression(self) -> Any:
        # `||` and `&&` give one of their operands, as in JavaScript: `a || 'default'`.
        return self._chain("||", self.conjunction, lambda left, right: left if truthy(left) else right)

    def conjunction(self) -> Any:
        return self._chain("&&", self.equality, lambda left, right: right if truthy(left) else left)

    def _chain(self, op: str, operand: Callable[[], Any], combine: Callable[[Any, Any], Any]) -> Any:
        value = operand()
        while self.peek() == op:
            self.take()
            value = combine(value, operand())
        return value

    def equality(self) -> Any:
        value = self.comparison()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            same = _equal(value, self.comparison())
            value = same if op == "==" else not same
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in ("<", "<=", ">", ">="):
            op = self.take()[1]
            left, right = _number(value), _number(self.unary())
            value = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.postfix(self.primary())

    def postfix(self, value: Any) -> Any:
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                kind, name = self.take()
                if name == "*":
                    value = _Filtered(value.values() if isinstance(value, Mapping) else value or [])
                elif kind == "name":
                    value = _property(value, name)
                else:
                    raise ExpressionError(f"a property name cannot be {name!r}")
            else:
                key = self.expression()
                self.take("]")
                if isinstance(value, list) and isinstance(key, (int, float)) and not isinstance(key, bool):
                    value = value[int(key)] if 0 <= int(key) < len(value) else None
                else:
                    value = _property(value, to_text(key))
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if text == "(":
            value = self.expression()
            self.take(")")
            return value
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == "(":
            return self.call(text.lower())
        if text not in self.contexts:
            raise ExpressionError(f"unknown context {text!r}")
        return self.contexts[text]

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ")":
            args.append(self.expression())
            if self.peek() == ",":
                self.take()
        self.take(")")
        if name in _STATUS_FUNCTIONS:
            return {
                "success": self.status == "success",
                "failure": self.status == "failure",
                "cancelled": self.status == "cancelled",
                "always": True,
            }[name]
        if name not in FUNCTIONS:
            raise ExpressionError(f"the harness does not evaluate {name}()")
        return FUNCTIONS[name](*args)
