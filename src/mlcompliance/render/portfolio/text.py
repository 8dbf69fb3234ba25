"""The portfolio in the terminal: one row per project, input errors, the worst findings, totals."""
from __future__ import annotations

from mlcompliance.render.common import visible
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.result.rollup import Rollup


def _v(value: object) -> str:
    """A value on its line: control and direction characters and line breaks made visible."""
    return visible(value, newlines=False)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


class Sink(_Base):
    def finish(self, rollup: Rollup, sha256: str) -> None:
        w = self.out.write
        packs = rollup.pack_ids
        w(f"mlcompliance {self.header['tool']['version']} | portfolio of {rollup.projects} projects | "
          f"as of {self.header['as_of']}\n\n")
        width = max(rollup.width, 7)
        w(f"{'PROJECT'.ljust(width)}  VERDICT        TIER        BLOCK  SCORE  " + "  ".join(_v(p) for p in packs) + "\n")
        for m in rollup.matrix:
            cells = "  ".join(_pct(m["scores"].get(p)).ljust(len(p)) for p in packs)
            w(f"{_v(m['project']).ljust(width)}  {_v(m['verdict']):<13}  {_v(m['tier']):<10}  {m['blocking']:>5}  "
              f"{_pct(m['score']):>5}  {cells}\n")
        for e in rollup.errors:
            w(f"{_v(e['path']).ljust(width)}  ERROR: {_v(e['error'])}\n")
        if rollup.worst:
            w("\nworst findings:\n")
            for f in rollup.worst[:10]:
                w(f"  {f['severity']:<8} {_v(f['rule_id'])}  {_v(f['project'])}/{_v(f['location']['file'])}:"
                  f"{f['location']['line']}  {_v(f['message'])}\n")
        s = rollup.summary()
        w(f"\nprojects: {s['compliant']} compliant, {s['non_compliant']} non-compliant, {s['errors']} with input "
          f"errors; tiers: " + ", ".join(f"{n} {t}" for t, n in s["tiers"].items() if n) + "\n")
        w(f"verdict: {rollup.verdict.upper().replace('_', '-')}\n")
