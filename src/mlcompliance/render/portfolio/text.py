"""The portfolio in the terminal: one row per project, input errors, the worst findings, totals."""
from __future__ import annotations

from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.result.rollup import Rollup


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


class Sink(_Base):
    def finish(self, rollup: Rollup, sha256: str) -> None:
        w = self.out.write
        packs = rollup.pack_ids
        w(f"mlcompliance {self.header['tool']['version']} | portfolio of {rollup.projects} projects | "
          f"as of {self.header['as_of']}\n\n")
        width = max(rollup.width, 7)
        w(f"{'PROJECT'.ljust(width)}  VERDICT        TIER        BLOCK  SCORE  " + "  ".join(packs) + "\n")
        for m in rollup.matrix:
            cells = "  ".join(_pct(m["scores"].get(p)).ljust(len(p)) for p in packs)
            w(f"{m['project'].ljust(width)}  {m['verdict']:<13}  {m['tier']:<10}  {m['blocking']:>5}  "
              f"{_pct(m['score']):>5}  {cells}\n")
        for e in rollup.errors:
            w(f"{e['path'].ljust(width)}  ERROR: {e['error']}\n")
        if rollup.worst:
            w("\nworst findings:\n")
            for f in rollup.worst[:10]:
                w(f"  {f['severity']:<8} {f['rule_id']}  {f['project']}/{f['location']['file']}:"
                  f"{f['location']['line']}  {f['message']}\n")
        s = rollup.summary()
        w(f"\nprojects: {s['compliant']} compliant, {s['non_compliant']} non-compliant, {s['errors']} with input "
          f"errors; tiers: " + ", ".join(f"{n} {t}" for t, n in s["tiers"].items() if n) + "\n")
        w(f"verdict: {rollup.verdict.upper().replace('_', '-')}\n")
