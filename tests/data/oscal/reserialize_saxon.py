"""Re-serialise a JSON document in the indentation Saxon 11+ gives ``xml-to-json(..., {'indent': true()})``.

Used once to turn the schema that Saxon-HE 9.9 generated from NIST's OSCAL v1.1.2 sources into the
exact bytes of the v1.1.2 release asset (see PROVENANCE.md). Usage: python reserialize_saxon.py IN OUT
"""
import json
import sys


def _ser(value, indent, out):
    if isinstance(value, (dict, list)):
        is_obj = isinstance(value, dict)
        out.append("{ " if is_obj else "[ ")
        items = value.items() if is_obj else ((None, v) for v in value)
        for i, (key, item) in enumerate(items):
            if i:
                out.append(",\n" + " " * (indent + 1))
            if is_obj:
                out.append(json.dumps(key, ensure_ascii=False) + " : ")
            if isinstance(item, (dict, list)) and item:
                out.append("\n" + " " * (indent + 1))
            _ser(item, indent + 1, out)
        out.append(" }" if is_obj else " ]")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def dump(document) -> str:
    out = ["\n "]
    _ser(document, 1, out)
    return "".join(out)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        text = dump(json.load(fh))
    with open(sys.argv[2], "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
