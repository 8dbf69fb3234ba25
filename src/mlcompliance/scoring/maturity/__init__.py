"""Maturity from evidence: the ML Test Score, the playbook's stage, Google and Azure levels, the seven principles.

``evaluate(project, as_of)`` reads the evidence bundle and a few small files of the project
directory (CI configuration, ``dvc.yaml``/``dvc.lock``, MLflow ``MLmodel``, dependency-bot
configuration) and scores:

- the 28 tests of the ML Test Score (Breck et al., IEEE BigData 2017): 0 no evidence, 0.5 manual
  and documented, 1 automated and recurring; section sums; final = minimum over the sections;
  the paper's interpretation band and our crosswalk (ml-governance.md 3d);
- the twelve MLOps practices of controls.md section 5 on the same 0 / 0.5 / 1 scale, and from
  them the playbook's Stage 1 / 2 / 3 (Stage 2: every S1 and S2 practice = 1; Stage 3: every
  practice = 1), the Google level (stage - 1) and an Azure level (0-4, capability criteria);
- the playbook's seven principles (met / partial / not met);
- an evidenced stage for the self-assessment dimensions that project evidence can speak to.

Everything is a pure function of the evidence, the files read and ``as_of``: no clock, no
network, no absolute paths in the output, nothing written. Files are read only when they are
regular files inside the project root (symbolic links leading outside are skipped and listed),
at most ``MAX_FILES`` of them and at most ``MAX_FILE_BYTES`` each. The rubric is documented
in docs/maturity.md.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from mlcompliance.evidence.project import Project
from mlcompliance.probes.repository import MAX_FILE_BYTES, MAX_FILES, MAX_WORKFLOWS, Repo, RepoFile, scan_repository
from mlcompliance.scoring.maturity.context import CI_FRESH_DAYS, MAX_EVIDENCE, MONITOR_DEFAULT_DAYS, _Ctx, _d
from mlcompliance.scoring.maturity.practices import PRACTICE_TITLES, RESUME_FRESH_DAYS, _practices
from mlcompliance.scoring.maturity.principles import (
    AZURE_LABELS,
    GOOGLE_LABELS,
    PRINCIPLES,
    _azure,
    _dimensions,
    _principles,
)
from mlcompliance.scoring.maturity.rubric import (
    BANDS,
    CROSSWALK,
    PRACTICE_STAGES,
    SECTIONS,
    STAGE_LABELS,
    band,
    crosswalk,
    final_score,
    principle_status,
    section_sums,
    stage_rule,
)
from mlcompliance.scoring.maturity.tests_rubric import (
    DEFAULT_MODEL_AGE_DAYS,
    INTEGRATION_FRESH_DAYS,
    MODEL_AGE_DAYS,
    ROLLBACK_FRESH_DAYS,
    TESTS,
    TestSpec,
    _score_test,
)

__all__ = [
    "AZURE_LABELS", "BANDS", "CI_FRESH_DAYS", "CROSSWALK", "DEFAULT_MODEL_AGE_DAYS", "GOOGLE_LABELS",
    "INTEGRATION_FRESH_DAYS", "MATURITY_VERSION", "MAX_EVIDENCE", "MAX_FILES", "MAX_FILE_BYTES", "MAX_WORKFLOWS",
    "MODEL_AGE_DAYS", "MONITOR_DEFAULT_DAYS", "PRACTICE_STAGES", "PRACTICE_TITLES", "PRINCIPLES", "RESUME_FRESH_DAYS",
    "ROLLBACK_FRESH_DAYS", "SECTIONS", "STAGE_LABELS", "TESTS", "Repo", "RepoFile", "TestSpec", "band", "crosswalk",
    "evaluate", "final_score", "principle_status", "scan_repository", "section_sums", "stage_rule",
]

MATURITY_VERSION = "1.0"


# --- the entry point ---------------------------------------------------------------------------

def evaluate(project: Project, as_of: date) -> dict[str, Any]:
    """Maturity of ``project`` on ``as_of``: JSON-ready, deterministic, relative paths only."""
    pipeline = _d(project.bundle.get("pipeline"))
    repo = scan_repository(project.root, _d(pipeline.get("ci")).get("config_path"),
                           _d(pipeline.get("environment")).get("lockfile"))
    c = _Ctx(project, as_of, repo)
    tests = [_score_test(spec, c) for spec in TESTS]
    by_id = {t["id"]: t for t in tests}
    sections = section_sums(tests)
    final = final_score(sections)
    rng, meaning = band(final)
    practices = _practices(c, by_id)
    by_practice = {p["id"]: p for p in practices}
    stage = stage_rule({p["id"]: p["score"] for p in practices})
    google = stage["stage"] - 1
    azure, azure_why = _azure(c, by_practice, by_id)
    cross = crosswalk(final)
    weakest = [k for k, v in sections.items() if v == final]
    cross_google = int(cross["google_level"][0])
    if cross_google < google:
        stage["why"].append(
            f"note: the ML Test Score ({final:g}, capped by {', '.join(weakest)}) maps to Google level "
            f"{cross['google_level']} / Azure {cross['azure_level']} in the crosswalk: test coverage lags automation")
    elif cross_google > google:
        stage["why"].append(
            f"note: the ML Test Score ({final:g}) maps to Google level {cross['google_level']} in the crosswalk: "
            f"tests are ahead of pipeline automation")
    return {
        "maturity_version": MATURITY_VERSION,
        "as_of": as_of.isoformat(),
        "project": project.name,
        "ml_test_score": {
            "tests": tests,
            "sections": sections,
            "final": final,
            "weakest_sections": weakest,
            "band_range": rng,
            "band": meaning,
            "crosswalk": cross,
        },
        "stage": stage,
        "google_level": google,
        "google_label": GOOGLE_LABELS[google],
        "azure_level": azure,
        "azure_label": AZURE_LABELS[azure],
        "azure_why": azure_why,
        "principles": _principles(c, by_practice),
        "practices": practices,
        "dimensions": _dimensions(c, by_practice, by_id),
        "repository": {"files_read": [{"path": f.path, "kind": f.kind} for f in repo.files],
                       "skipped": repo.skipped},
    }
