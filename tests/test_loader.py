"""YAML/JSON loading: values, locations and every malformed input we promise to reject clearly."""
from __future__ import annotations

import pytest

from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import LIBYAML, load_file, parse_text


def yaml_doc(text: str):
    return parse_text(text, "card.yaml", "yaml")


def test_libyaml_is_used():
    assert LIBYAML, "PyYAML without libyaml is about 9x slower; the tool expects the C loader"


def test_values_are_json_like_and_locations_point_at_keys():
    doc = yaml_doc("a:\n  b: 1\n  c: [x, y]\n  d: 2024-05-01\n  e: yes\n  f: true\n  g: null\n  h: 1.5\n")
    assert doc.value == {"a": {"b": 1, "c": ["x", "y"], "d": "2024-05-01", "e": "yes", "f": True,
                               "g": None, "h": 1.5}}
    assert doc.location("/a/b") == (2, 3)
    assert doc.location("/a/c/1") == (3, 10)
    assert doc.location("/a/missing/deeper") == (1, 1) or doc.location("/a/missing/deeper") == doc.location("/a")
    assert doc.location("/a/missing") == doc.location("/a")


def test_integer_keys_keep_their_text():
    assert yaml_doc("15: a\n").value == {"15": "a"}


@pytest.mark.parametrize("text, line, fragment", [
    ("a: 1\na: 2\n", 2, "duplicate key 'a' (first defined at line 1)"),
    ("a:\n  b: [1, 2\n", 3, "invalid YAML"),
    ("a: !!python/object:os.system x\n", 1, "unsupported YAML tag"),
    ("a: !custom x\n", 1, "unsupported YAML tag"),
    ("? [a, b]\n: 1\n", 1, "mapping keys must be plain scalars"),
    ("a: .nan\n", 1, "non-finite number"),
    ("---\na: 1\n---\nb: 2\n", 3, "invalid YAML"),
])
def test_malformed_yaml_is_a_located_input_error(text, line, fragment):
    with pytest.raises(InputError) as err:
        yaml_doc(text)
    assert err.value.line == line
    assert fragment in str(err.value)
    assert str(err.value).startswith(f"card.yaml:{line}")


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    with pytest.raises(InputError, match="alias bomb"):
        yaml_doc("\n".join(lines) + "\n")


def test_merge_keys_are_supported_and_own_keys_win():
    doc = yaml_doc("base: &b {x: 1, y: 0}\nitem:\n  <<: *b\n  y: 2\nboth:\n  <<: [{z: 1}, *b]\n")
    assert doc.value["item"] == {"y": 2, "x": 1}
    assert doc.value["both"] == {"z": 1, "x": 1, "y": 0}
    with pytest.raises(InputError, match="duplicate key 'y'"):
        yaml_doc("item:\n  y: 1\n  y: 2\n")


def test_json_values_and_lazy_locations():
    doc = parse_text('{\n  "a": {\n    "b": [1, 2]\n  }\n}\n', "card.json", "json")
    assert doc.value == {"a": {"b": [1, 2]}}
    assert doc.location("/a/b/1") == (3, 14)


@pytest.mark.parametrize("text, line, fragment", [
    ('{"a": 1,\n "a": 2}', 2, "duplicate key 'a'"),
    ('{"a": 1,\n "b": }', 2, "invalid JSON"),
    ('{"a": NaN}', None, "non-finite"),
])
def test_malformed_json(text, line, fragment):
    with pytest.raises(InputError) as err:
        parse_text(text, "card.json", "json")
    assert fragment in str(err.value)
    if line:
        assert err.value.line == line


def test_json_that_yaml_cannot_read_still_loads_with_locations_from_the_json_scanner():
    # surrogate-pair escapes are valid JSON but not YAML 1.1: the small JSON scanner locates them
    doc = parse_text('{"name": "x\\ud83d\\ude00",\n "list": [1, {"k": "\\/"}]}', "x.json", "json")
    assert doc.value == {"name": "x\U0001F600", "list": [1, {"k": "/"}]}
    assert doc.location("/name") == (1, 2)
    assert doc.location("/list/1/k") == (2, 15)
    assert doc.location("/list/0") == (2, 11)


def test_non_utf8_file(tmp_path):
    path = tmp_path / "card.yaml"
    path.write_bytes(b"name: ok\ndescription: caf\xe9\n")
    with pytest.raises(InputError) as err:
        load_file(path, "card.yaml")
    assert err.value.line == 2 and "not valid UTF-8" in str(err.value)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "card.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: ok\n")
    assert load_file(path, "card.yaml").value == {"name": "ok"}


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_file(tmp_path / "nope.yaml", "nope.yaml")
    with pytest.raises(InputError, match="directory"):
        load_file(tmp_path, "dir")
