"""CSV of every finding (one row each), for spreadsheets and BI tools; pandas writes it."""
from __future__ import annotations

import json
from typing import Any

COLUMNS = ["project", "project_name", "pack", "pack_version", "rule_id", "requirement", "outcome", "severity",
           "file", "line", "column", "pointer", "target", "observed", "message", "remediation", "waiver",
           "fingerprint"]


def _rows(path: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for f in result["findings"]:
        loc = f["location"]
        observed = "" if "observed" not in f else (f["observed"] if isinstance(f["observed"], str)
                                                   else json.dumps(f["observed"], ensure_ascii=False))
        rows.append({"project": path, "project_name": result["project"]["name"], "pack": f["pack"],
                     "pack_version": f["pack_version"], "rule_id": f["rule_id"], "requirement": f["requirement"],
                     "outcome": f["outcome"], "severity": f["severity"], "file": loc["file"], "line": loc["line"],
                     "column": loc["column"], "pointer": loc["pointer"], "target": loc["target"],
                     "observed": observed, "message": f["message"], "remediation": f["remediation"],
                     "waiver": (f.get("waiver") or {}).get("id", ""), "fingerprint": f["fingerprint"]})
    return rows


def _csv(rows: list[dict[str, Any]]) -> str:
    import pandas as pd
    return pd.DataFrame(rows, columns=COLUMNS).to_csv(index=False, lineterminator="\n")


def render(result: dict[str, Any]) -> str:
    return _csv(_rows(".", result))
