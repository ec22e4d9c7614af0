"""Reading a file as plain data, safely (nsra.io.safeyaml): hostile YAML, limits, encodings,
duplicate keys, and the Norway problem (``no`` stays text).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nsra.io.problems import InputError
from nsra.io.safeyaml import Limits, load, locate, read_text
from nsra.io.validate import read_assessment
from tests.helpers import (
    NL_BASE,
    check_error,
    line_of,
    parse,
    problems_of,
    replace_once,
    single_error,
)


# -- hostile YAML ----------------------------------------------------------------------------------
def test_custom_tag_is_refused_not_run(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    text = replace_once(
        NL_BASE,
        "    theme: water\n",
        f'    theme: !!python/object/apply:os.system ["touch {target}"]\n',
    )
    p = check_error(
        text, "the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed", "!!py"
    )
    assert "only plain data" in p.message
    assert not target.exists()


def test_include_tag_is_refused() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: !include secrets.yaml\n")
    check_error(text, "the tag !include is not allowed", "!include")


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
    text = NL_BASE + 'lol:\n  l0: &l0 "lol"\n' + bomb
    start = time.perf_counter()
    p = check_error(text, "anchors and aliases (&name, *name) are not allowed", "l1: &l1")
    assert time.perf_counter() - start < 2.0
    assert "write the value out" in p.message


def test_a_single_alias_is_refused() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: &t water\n")
    text = replace_once(text, "    theme: terrorism\n", "    theme: *t\n")
    check_error(text, "anchors and aliases", "theme: *t")


def test_nesting_10000_deep_is_refused_quickly() -> None:
    text = replace_once(
        NL_BASE, "    theme: water\n", "    theme: " + "[" * 10_000 + "]" * 10_000 + "\n"
    )
    start = time.perf_counter()
    p = single_error(text)
    assert time.perf_counter() - start < 2.0
    assert "nest" in p.message
    assert p.line == line_of(text, "[[[[")


def test_nested_mappings_beyond_the_depth_limit() -> None:
    deep = "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "x: 1\n"
    with pytest.raises(InputError) as info:
        load(deep, "deep.yaml", Limits(max_depth=40))
    (p,) = info.value.problems
    assert p.message == "the data is nested more than 40 levels deep"
    assert p.line == 41


# -- limits, encodings, the form of the file -------------------------------------------------------
def test_file_above_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(NL_BASE, encoding="utf-8")
    size = path.stat().st_size
    with pytest.raises(InputError) as info:
        read_assessment(str(path), Limits(max_bytes=1000))
    (p,) = info.value.problems
    assert f"the file is {size:,} bytes, above the limit of 1,000 bytes" in p.message
    assert "--max-size" in p.message
    assert p.file == str(path)
    # the same file within the limit is fine
    assert read_assessment(str(path), Limits(max_bytes=size)).assessment.title == "Test assessment"


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    text = replace_once(NL_BASE, "title: River flood", "title: Café flood")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_assessment(str(path))
    (p,) = info.value.problems
    assert "the file is not UTF-8 text (byte 0xe9" in p.message
    assert "UTF-8" in p.message
    assert p.line == line_of(text, "Café")
    assert p.column == len("    title: Caf") + 1


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + NL_BASE.encode("utf-8"))
    assert read_assessment(str(path)).assessment.title == "Test assessment"


def test_duplicate_key_in_a_mapping() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: water\n    theme: fire\n")
    check_error(
        text, "the key 'theme' appears twice in this mapping; keep one", "theme: fire", True
    )


def test_multiple_documents() -> None:
    text = NL_BASE + "---\ntitle: another\n"
    check_error(text, "the file holds more than one YAML document; keep one", "---", True)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    (p,) = problems_of(text)
    assert p.message == "the file is empty"
    assert p.line == 1


def test_yaml_syntax_error_has_a_line() -> None:
    text = replace_once(NL_BASE, "scenarios: [flood]", "scenarios: [flood")
    p = single_error(text)
    assert p.message.startswith("not valid YAML")
    assert p.line is not None
    assert p.line >= line_of(text, "[flood")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_text(str(tmp_path / "missing.yaml"))
    assert "cannot read the file" in info.value.problems[0].message


# -- the Norway problem ----------------------------------------------------------------------------
def test_plain_scalars_stay_text() -> None:
    data = load("a: no\nb: yes\nc: on\nd: off\ne: NO\n2.1: x\n1: y\nf: 2.1\ng: true\nh: null\n")
    assert data == {
        "a": "no",
        "b": "yes",
        "c": "on",
        "d": "off",
        "e": "NO",
        "2.1": "x",
        "1": "y",
        "f": 2.1,
        "g": True,
        "h": None,
    }


def test_norway_in_an_assessment() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: no\n")
    text = replace_once(text, '          "2.1": C\n', "          2.1: C\n")
    loaded = parse(text)
    assert loaded.assessment.scenarios[0].theme == "no"
    # the unquoted key 2.1 is the criterion "2.1": analyst a2's C is there
    assert loaded.assessment.scenarios[0].estimates[1].impact == {"2.1": "C"}


def test_domain_no_is_reported_as_the_text_no() -> None:
    text = replace_once(NL_BASE, "domain: internal", "domain: no")
    p = single_error(text)
    assert "found no;" in p.message
    assert "False" not in p.message


def test_locate_finds_each_path_or_its_deepest_ancestor_and_stops_when_all_are_found() -> None:
    text = "a:\n  b: 1\n  c:\n    - x\n    - y\nd: 2\ne: [unclosed\n"
    # every wanted path lies before the broken line: found, and reading stops before it
    assert locate(text, [("a", "c", 1), ("d",)]) == {("a", "c", 1): (5, 7), ("d",): (6, 1)}
    # a path that does not exist: its deepest ancestor, after reading all that can be read
    deep = locate(text, [("a", "zz", 3), ("a", "b")])
    assert deep == {("a", "zz", 3): (1, 1), ("a", "b"): (2, 3)}
