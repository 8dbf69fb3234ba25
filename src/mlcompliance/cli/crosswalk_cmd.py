"""`mlcompliance packs crosswalk FRAMEWORK`: list a framework's crosswalk, by pack requirement.

Exit code 0: listed; 2: an unknown framework, pack or a crosswalk that does not load (file:line).
Wired into the `packs` group by cli/main.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("crosswalk", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("framework", metavar="FRAMEWORK")
@click.option("--pack", "pack_refs", multiple=True, metavar="ID[@VERSION]",
              help="Only these packs (repeatable; default: the newest version of every pack).")
@click.option("--unmapped", is_flag=True, help="List only the requirements mapped to no control of FRAMEWORK.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--policy-path", "policy_paths", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Extra directory of policy packs (repeatable).")
def crosswalk(framework: str, pack_refs: tuple[str, ...], unmapped: bool, fmt: str,
              policy_paths: tuple[Path, ...]) -> None:
    """Show which controls of FRAMEWORK (iso42001, nist-ai-rmf) each pack requirement maps to,
    with the relationship ("requirement <relationship> control") and its rationale; requirements
    with no real counterpart are listed as unmapped (docs/crosswalks.md)."""
    from mlcompliance.cli.main import _find_sources
    from mlcompliance.policy import crosswalks
    from mlcompliance.policy.packs import discover, load_pack

    walk = crosswalks.load(framework, crosswalks.requirement_ids(discover(policy_paths, plugins=False)))
    packs = [load_pack(src) for src in _find_sources(policy_paths, pack_refs)]
    rows = []
    for pack in sorted(packs, key=lambda p: p.id):
        for req in pack.requirements:
            if req.id == pack.maturity_requirement:
                continue
            mapped = [m for m in walk.mappings if m.pack == pack.id and m.requirement == req.id]
            if unmapped and mapped:
                continue
            rows.append({"pack": pack.id, "version": pack.version, "requirement": req.id, "title": req.title,
                         "controls": [{"control": m.control, "title": walk.framework.control(m.control).title,
                                       "relationship": m.relationship, "rationale": m.rationale} for m in mapped]})
    total = sum(1 for p in packs for r in p.requirements if r.id != p.maturity_requirement)
    mapped_n = sum(1 for p in packs for r in p.requirements
                   if any(m.pack == p.id and m.requirement == r.id for m in walk.mappings))
    used = {m.control for m in walk.mappings if any(m.pack == p.id for p in packs)}
    if fmt == "json":
        click.echo(json.dumps({"framework": {"id": walk.framework.id, "title": walk.framework.title,
                                             "version": walk.framework.version},
                               "requirements": total, "mapped": mapped_n,
                               "controls": len(walk.framework.controls), "controls_mapped": len(used),
                               "rows": rows}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{walk.framework.title} ({walk.framework.id}): {mapped_n} of {total} requirements mapped, "
               f"to {len(used)} of {len(walk.framework.controls)} controls")
    for row in rows:
        head = f"{row['pack']}@{row['version']} {row['requirement']}"
        if not row["controls"]:
            click.echo(f"{head}: unmapped")
            continue
        for c in row["controls"]:
            click.echo(f"{head} {c['relationship']} {c['control']} ({c['title']})\n  {c['rationale']}")
