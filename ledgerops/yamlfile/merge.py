"""A three-way merge by lines, for the edits ruamel.yaml makes: its output is normalised
(one indentation for every list, its own spacing and quoting), the user's text is not, and
only the lines the edit changed should change."""

from __future__ import annotations

from difflib import SequenceMatcher


def merge(original: str, before: str, after: str) -> str:
    """Three-way merge by lines: `before` is ruamel's unedited dump (the base), `original`
    holds the user's formatting, `after` holds the edit. Where only the edit changed a
    region, take it; where only formatting differs, keep the user's text; where both
    differ, the edited (normalised) region wins."""
    if before == original:
        return after
    base, mine, edited = _lines(before), _lines(original), _lines(after)
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


def _lines(text: str) -> list[str]:
    """Lines split at LF only: str.splitlines would also split at U+2028, NEL, form feeds
    and other characters, and so rewrite the lines that hold them."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


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
