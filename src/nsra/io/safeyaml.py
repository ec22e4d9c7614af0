"""A defensive YAML/JSON reader: plain data only, with positions for error messages.

It reads the parser's event stream itself (no constructor runs), so:

* custom tags (``!!python/object``, ``!include``, ...) are refused, not executed;
* anchors and aliases are refused, so alias bombs cannot expand;
* nesting deeper than a limit stops the reading before any recursion could;
* files above a size limit and text that is not UTF-8 are refused before parsing;
* repeated keys in a mapping are errors (YAML would silently keep the last one);
* scalars follow YAML 1.2 core rules: ``no``, ``on``, ``yes`` stay text (the "Norway problem"),
  and mapping keys are always text (``2.1:`` is the key ``"2.1"``, not a number).

Line and column numbers are 1-based. Positions of fields are found again on demand
(:func:`locate`) so that reading a large valid file keeps no position table in memory.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
import yaml.events as ev

from nsra.io.problems import InputError, Path, Problem

try:  # libyaml's parser is much faster; the pure-Python one gives the same events.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_DEPTH = 40

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_NAN = {".nan", ".NaN", ".NAN"}
_STR_TAG = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = {
    None,
    "!",
    _STR_TAG,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass(frozen=True)
class Limits:
    """Limits on what a file may be; raise them on the command line for very large files."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH


def resolve_scalar(text: str, plain: bool, tag: str | None) -> Any:
    """The value of a scalar under YAML 1.2 core rules (quoted scalars are always text)."""
    if not plain or tag == _STR_TAG:
        return text
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if text in _NAN:
        return math.nan
    return text


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text of a file (a leading byte-order mark is dropped), or a clear error."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            [
                Problem(
                    f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                    f"{exc.start}); save it as UTF-8 (in Excel: 'CSV UTF-8', in editors: "
                    "encoding UTF-8)",
                    file=source,
                    line=line,
                    column=col,
                )
            ]
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_text(path: str, limits: Limits | None = None) -> str:
    """Read a file as UTF-8 text within the size limit."""
    import os

    limits = limits or Limits()
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise InputError([Problem(f"cannot read the file: {exc.strerror}", file=path)]) from None
    if size > limits.max_bytes:
        raise InputError(
            [
                Problem(
                    f"the file is {size:,} bytes, above the limit of {limits.max_bytes:,} "
                    "bytes; split it or raise the limit with --max-size",
                    file=path,
                )
            ]
        )
    try:
        with open(path, "rb") as fh:
            raw = fh.read(size + 1)
            if len(raw) > size:  # the file grew while we read it: read on, within the limit
                raw += fh.read(limits.max_bytes + 1 - len(raw))
    except OSError as exc:
        raise InputError([Problem(f"cannot read the file: {exc.strerror}", file=path)]) from None
    if len(raw) > limits.max_bytes:
        raise InputError(
            [Problem(f"the file is above the limit of {limits.max_bytes:,} bytes", file=path)]
        )
    return decode(raw, path)


def _events(text: str, source: str) -> Iterator[ev.Event]:
    try:
        yield from yaml.parse(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "not valid YAML"
        raise InputError(
            [
                Problem(
                    f"not valid YAML: {reason}",
                    file=source,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(f"not valid YAML: {exc}", file=source)]) from None


def _problem(message: str, event: ev.Event, source: str) -> Problem:
    mark = event.start_mark
    return Problem(
        message,
        file=source,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )


class _Frame:
    __slots__ = ("container", "is_map", "key", "key_event")

    def __init__(self, container: dict[str, Any] | list[Any]) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.key: str | None = None
        self.key_event: ev.Event | None = None


_SCALAR = ev.ScalarEvent
_MAP_START = ev.MappingStartEvent
_SEQ_START = ev.SequenceStartEvent
_ENDS = (ev.MappingEndEvent, ev.SequenceEndEvent)
_INVALID_KEY = "\0invalid"
_intern = sys.intern


def load(text: str, source: str = "<input>", limits: Limits | None = None) -> Any:
    """Plain data (dicts, lists, str, int, float, bool, None) from YAML or JSON text.

    Text that is JSON is read by the JSON reader (much faster); anything else by the YAML event
    reader. Raises :class:`InputError` listing every problem found (reading stops at the first
    problem that makes the rest unreadable: bad syntax, an alias, too deep a nesting).
    """
    limits = limits or Limits()
    if text.lstrip()[:1] in ("{", "["):
        try:
            return _load_json(text, source, limits)
        except _NotJson:
            pass  # a YAML flow mapping, or broken JSON: the YAML reader says what is wrong
    problems: list[Problem] = []
    stack: list[_Frame] = []
    top: _Frame | None = None
    root: Any = None
    documents = 0

    def fatal(message: str, event: ev.Event) -> InputError:
        return InputError([*problems, _problem(message, event, source)])

    def put(value: Any) -> bool:
        """Put a finished value into the open container; False if it was dropped."""
        assert top is not None
        if not top.is_map:
            top.container.append(value)  # type: ignore[union-attr]
            return True
        key = top.key
        top.key = None
        if key == _INVALID_KEY:
            return False
        container: dict[str, Any] = top.container  # type: ignore[assignment]
        if key in container:
            assert top.key_event is not None and key is not None
            problems.append(
                _problem(
                    f"the key {key!r} appears twice in this mapping; keep one",
                    top.key_event,
                    source,
                )
            )
            return False
        container[key] = value  # type: ignore[index]
        return True

    event: Any  # the parser's events; attributes depend on the kind
    for event in _events(text, source):
        kind = type(event)
        if kind is _SCALAR:
            tag = event.tag
            if tag is not None and tag not in _ALLOWED_TAGS:
                raise fatal(f"the tag {tag} is not allowed; only plain data may be used", event)
            if top is None:
                root = resolve_scalar(event.value, bool(event.implicit[0]) and not event.style, tag)
            elif top.is_map and top.key is None:
                top.key = _intern(event.value)
                top.key_event = event
            else:
                value = resolve_scalar(
                    event.value, bool(event.implicit[0]) and not event.style, tag
                )
                if type(value) is str and len(value) <= 16:
                    value = _intern(value)
                put(value)
        elif kind is _MAP_START or kind is _SEQ_START:
            tag = event.tag
            if tag is not None and tag not in _ALLOWED_TAGS:
                raise fatal(f"the tag {tag} is not allowed; only plain data may be used", event)
            if len(stack) >= limits.max_depth:
                raise fatal(f"the data is nested more than {limits.max_depth} levels deep", event)
            if top is not None and top.is_map and top.key is None:
                raise fatal("a mapping key must be plain text", event)
            container: dict[str, Any] | list[Any] = {} if kind is _MAP_START else []
            if top is None:
                root = container
            else:
                put(container)
            top = _Frame(container)
            stack.append(top)
        elif kind in _ENDS:
            stack.pop()
            top = stack[-1] if stack else None
        elif kind is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise fatal("the file holds more than one YAML document; keep one", event)
        elif kind is ev.AliasEvent:
            raise fatal(
                "anchors and aliases (&name, *name) are not allowed; write the value out",
                event,
            )
    if documents == 0:
        problems.append(Problem("the file is empty", file=source, line=1))
    if problems:
        raise InputError(problems)
    return root


class _NotJson(Exception):
    """The text is not JSON; read it as YAML."""


def _load_json(text: str, source: str, limits: Limits) -> Any:
    """JSON with the same rules: no repeated keys, no NaN/Infinity, bounded nesting."""
    problems: list[Problem] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                problems.append(
                    Problem(f"the key {key!r} appears twice in a mapping; keep one", file=source)
                )
                continue
            out[_intern(key)] = value
        return out

    def constant(name: str) -> Any:
        raise _NotJson(name)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except (json.JSONDecodeError, _NotJson, RecursionError):
        raise _NotJson() from None
    # bounded nesting, checked without recursion
    todo: list[tuple[Any, int]] = [(data, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, dict | list):
            if depth > limits.max_depth:
                raise _NotJson()  # the YAML reader reports it with a position
            children = node.values() if isinstance(node, dict) else node
            todo.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    if problems:
        raise _NotJson()  # the YAML reader reports repeated keys with their positions
    return data


def locate(text: str, paths: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    """1-based (line, column) of each path, or of its deepest existing ancestor.

    For a mapping entry the position is that of its key, so "unknown field" points at the key.
    """
    wanted = {tuple(p) for p in paths}
    if not wanted:
        return {}
    prefixes: set[Path] = set()
    for p in wanted:
        for i in range(len(p) + 1):
            prefixes.add(p[:i])
    found: dict[Path, tuple[int, int]] = {}
    stack: list[list[Any]] = []  # [kind, path, next index or pending key, key mark]
    missing = set(wanted)  # reading stops once every wanted path is found

    def here(path: Path, mark: Any) -> None:
        if path in prefixes and path not in found and mark is not None:
            found[path] = (mark.line + 1, mark.column + 1)
            missing.discard(path)

    def child_path(event: ev.Event) -> Path | None:
        if not stack:
            return ()
        frame = stack[-1]
        if frame[0] == "seq":
            i = frame[2]
            frame[2] = i + 1
            return (*frame[1], i)
        if frame[2] is None:  # this is a key
            key = event.value if isinstance(event, ev.ScalarEvent) else "\0"
            frame[2] = key
            frame[3] = event.start_mark
            here((*frame[1], key), event.start_mark)
            return None
        key = frame[2]
        frame[2] = None
        return (*frame[1], key)

    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, ev.ScalarEvent | ev.AliasEvent):
                path = child_path(event)
                if path is not None:
                    here(path, event.start_mark)
            elif isinstance(event, ev.MappingStartEvent | ev.SequenceStartEvent):
                path = child_path(event)
                if path is None:
                    path = ("\0",)
                here(path, event.start_mark)
                kind = "map" if isinstance(event, ev.MappingStartEvent) else "seq"
                stack.append([kind, path, None if kind == "map" else 0, None])
            elif isinstance(event, ev.MappingEndEvent | ev.SequenceEndEvent):
                stack.pop()
            if not missing:
                break
    except yaml.YAMLError:
        pass
    out: dict[Path, tuple[int, int]] = {}
    for p in wanted:
        for i in range(len(p), -1, -1):
            if p[:i] in found:
                out[p] = found[p[:i]]
                break
    return out
