"""The portfolio as GitHub-flavoured Markdown: the project table (within GitHub's 65 536-character
comment limit) and the worst findings."""
from __future__ import annotations

from mlcompliance.render.common import md_code
from mlcompliance.render.markdown import MAX_CHARS, cell
from mlcompliance.render.portfolio import Sink as _Base
from mlcompliance.result.rollup import Rollup


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


class Sink(_Base):
    def finish(self, rollup: Rollup, sha256: str) -> None:
        s = rollup.summary()
        packs = rollup.pack_ids
        icon = "✅" if rollup.verdict == "compliant" else "❌"     # a project not checked fails the portfolio
        head = [f"## {icon} mlcompliance portfolio: {s['projects']} projects", "",
                f"**{rollup.verdict.replace('_', '-').upper()}: {s['compliant']} compliant, {s['non_compliant']} "
                f"non-compliant, {s['errors']} failed to load (input error)** · as of "
                f"{cell(self.header['as_of'])} · mlcompliance {cell(self.header['tool']['version'])}", "",
                "| project | tier | verdict | blocking | score | " + " | ".join(cell(p) for p in packs) + " |",
                "|---|---|---|---|---|" + "---|" * len(packs)]
        worst = []
        if rollup.worst:
            worst = ["", f"<details><summary>Worst findings ({len(rollup.worst)})</summary>", "",
                     "| severity | rule | project | where | message |", "|---|---|---|---|---|"]
            worst += [f"| {f['severity']} | {md_code(f['rule_id'])} | {cell(f['project'])} | "
                      f"{md_code(str(f['location']['file']) + ':' + str(f['location']['line']))} | {cell(f['message'])} |"
                      for f in rollup.worst]
            worst += ["", "</details>"]
        budget = MAX_CHARS - len("\n".join(head + worst)) - 200
        total = len(rollup.errors) + rollup.checked
        self.out.write("\n".join(head) + "\n")
        used = kept = 0
        for row in self._rows(rollup, packs):
            if used + len(row) + 1 > budget:
                self.out.write(f"| … {total - kept} more projects: see the JSON result or the CSV export |"
                               + " |" * (4 + len(packs)) + "\n")
                break
            self.out.write(row + "\n")
            kept += 1
            used += len(row) + 1
        self.out.write("".join(line + "\n" for line in worst))

    @staticmethod
    def _rows(rollup: Rollup, packs: list[str]):
        for e in rollup.errors:
            yield (f"| {cell(e['path'])} | | ❌ **error: not checked (input error)** | | {cell(e['error'])} |"
                   + " |" * len(packs))
        for m in rollup.matrix:
            cells = " | ".join(_pct(m["scores"].get(p)) for p in packs)
            yield f"| {cell(m['project'])} | {cell(m['tier'])} | {cell(m['verdict'])} | {m['blocking']} | {_pct(m['score'])} | {cells} |"
