#!/usr/bin/env python3
"""Experiment (not used by mlcompliance): how fast could evidence schema validation be?

The profile of a 10 000-project run puts about half of the CPU time in `schemas.validate_document`,
i.e. jsonschema's Draft202012Validator.is_valid over model_card / data_manifest / pipeline.
This prototype compiles the keyword subset our evidence schemas actually use (type, properties,
additionalProperties, patternProperties, required, items, enum, const, minLength, minimum,
maximum, pattern, format, propertyNames, $ref to #/$defs) into nested Python closures, then
  1. checks that it agrees with jsonschema's is_valid on the generated documents and on
     mutated (invalid) copies of them, and
  2. times both on the same documents (CPU time).
A real implementation would keep jsonschema for the error report (only when is_valid is
False), so messages and locations stay exactly as they are.

    PYTHONPATH=<code>/src python compiled_schema.py SET_DIR [N]
"""
from __future__ import annotations

import copy
import random
import re
import sys
import time
from pathlib import Path

from mlcompliance.evidence import loader, schemas

_TYPES = {
    "string": lambda x: type(x) is str,
    "object": lambda x: type(x) is dict,
    "array": lambda x: type(x) is list,
    "boolean": lambda x: type(x) is bool,
    "null": lambda x: x is None,
    "number": lambda x: (type(x) is int or type(x) is float),
    "integer": lambda x: type(x) is int or (type(x) is float and x.is_integer()),
}
_IGNORED = {"description", "title", "$schema", "$id", "$defs", "examples", "default", "$comment"}


def _same(a, b) -> bool:
    """JSON equality: True is not 1."""
    return a == b and (type(a) is bool) == (type(b) is bool)


def compile_schema(root: dict):
    cache: dict[str, object] = {}

    def ref(pointer: str):
        if pointer not in cache:
            cache[pointer] = None                       # placeholder for recursion
            node = root
            for tok in pointer.lstrip("#/").split("/"):
                node = node[tok]
            cache[pointer] = comp(node)
        fn = cache[pointer]
        return fn if fn is not None else (lambda x: cache[pointer](x))

    def comp(s):
        if s is True or s == {}:
            return lambda x: True
        if s is False:
            return lambda x: False
        checks = []
        unknown = set(s) - _IGNORED - {"type", "properties", "additionalProperties", "patternProperties", "required",
                                       "items", "enum", "const", "minLength", "minimum", "maximum", "pattern",
                                       "format", "propertyNames", "$ref", "minItems"}
        if unknown:
            raise NotImplementedError(sorted(unknown))
        if "$ref" in s:
            checks.append(ref(s["$ref"]))
        if "type" in s:
            ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
            tfs = [_TYPES[t] for t in ts]
            checks.append(tfs[0] if len(tfs) == 1 else (lambda x, tfs=tfs: any(f(x) for f in tfs)))
        if "enum" in s:
            enum = s["enum"]
            checks.append(lambda x, e=enum: any(_same(x, v) for v in e))
        if "const" in s:
            checks.append(lambda x, c=s["const"]: _same(x, c))
        if "minLength" in s:
            checks.append(lambda x, n=s["minLength"]: type(x) is not str or len(x) >= n)
        if "pattern" in s:
            rx = re.compile(s["pattern"]).search
            checks.append(lambda x, rx=rx: type(x) is not str or rx(x) is not None)
        if "format" in s:
            fmt, conforms = s["format"], schemas.format_checker().conforms
            checks.append(lambda x, f=fmt: conforms(x, f))
        for kw, op in (("minimum", lambda x, m: x >= m), ("maximum", lambda x, m: x <= m)):
            if kw in s:
                checks.append(lambda x, m=s[kw], op=op: not (type(x) in (int, float)) or op(x, m))
        if "minItems" in s:
            checks.append(lambda x, n=s["minItems"]: type(x) is not list or len(x) >= n)
        if "items" in s:
            item = comp(s["items"])
            checks.append(lambda x, item=item: type(x) is not list or all(item(v) for v in x))
        if any(k in s for k in ("properties", "additionalProperties", "patternProperties", "required", "propertyNames")):
            props = {k: comp(v) for k, v in s.get("properties", {}).items()}
            pats = [(re.compile(p).search, comp(v)) for p, v in s.get("patternProperties", {}).items()]
            addl = s.get("additionalProperties", True)
            addl_fn = None if addl is True else comp(addl)
            required = tuple(s.get("required", ()))
            names = comp(s["propertyNames"]) if "propertyNames" in s else None

            def obj(x, props=props, pats=pats, addl_fn=addl_fn, required=required, names=names):
                if type(x) is not dict:
                    return True
                for r in required:
                    if r not in x:
                        return False
                for k, v in x.items():
                    if names is not None and not names(k):
                        return False
                    fn = props.get(k)
                    matched = fn is not None
                    if matched and not fn(v):
                        return False
                    for search, pfn in pats:
                        if search(k) is not None:
                            matched = True
                            if not pfn(v):
                                return False
                    if not matched and addl_fn is not None and not addl_fn(v):
                        return False
                return True
            checks.append(obj)
        if len(checks) == 1:
            return checks[0]
        checks = tuple(checks)
        return lambda x: all(c(x) for c in checks)

    return comp(root)


def _mutations(doc, rng: random.Random, k: int) -> list:
    """k invalid-ish variants: wrong types, unknown keys, bad enum values, deleted required keys."""
    out = []
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for key, v in node.items():
                walk(v, path + [key])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + [i])
    walk(doc, [])
    for _ in range(k):
        d = copy.deepcopy(doc)
        path = rng.choice(paths[1:])
        parent = d
        for p in path[:-1]:
            parent = parent[p]
        last = path[-1]
        choice = rng.random()
        if choice < 0.3:
            parent[last] = rng.choice([5, "x", True, None, [], {}, 1.5, "", "2024-13-45"])
        elif choice < 0.5 and isinstance(parent, dict):
            parent["unknown_field"] = 1
        elif choice < 0.7 and isinstance(parent, dict):
            del parent[last]
        else:
            parent[last] = rng.choice(["not-a-sha", "HEAD", -1, 10**9, "prohibited", "none", "x-y"])
        out.append(d)
    return out


def main() -> None:
    set_dir = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    dirs = sorted(p for p in set_dir.iterdir() if p.is_dir())[:n]
    rng = random.Random(7)
    for kind in ("model_card", "data_manifest", "pipeline"):
        docs = [loader.load_file(d / f"{kind}.yaml", kind).value for d in dirs]
        ref = schemas.validator(kind)
        fast = compile_schema(schemas.schema(kind))
        mutated = [m for doc in docs[:200] for m in _mutations(doc, rng, 5)]
        disagree = sum(1 for d in docs + mutated if ref.is_valid(d) != fast(d))
        invalid = sum(1 for d in mutated if not ref.is_valid(d))
        t = time.process_time()
        for d in docs:
            ref.is_valid(d)
        t_ref = (time.process_time() - t) / len(docs)
        t = time.process_time()
        for d in docs:
            fast(d)
        t_fast = (time.process_time() - t) / len(docs)
        print(f"{kind:14s} jsonschema {t_ref * 1e6:6.0f} us/doc  compiled {t_fast * 1e6:5.0f} us/doc  "
              f"({t_ref / t_fast:4.1f}x)  disagreements {disagree} of {len(docs) + len(mutated)} "
              f"({len(mutated)} mutated, {invalid} of them invalid)")


if __name__ == "__main__":
    main()
