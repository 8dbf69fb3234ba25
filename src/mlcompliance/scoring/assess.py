"""Leaders' self-assessment: the playbook's six dimensions and seven principles, claimed vs evidenced.

The questionnaire is data (``data/questionnaire.yaml``): questions with an id, a dimension, a
text and answer options, each option mapped to a stage (1 manual, 2 automated validation and
continuous training, 3 full CI/CT/CD), optionally naming the principle it probes.

Scoring (documented in docs/maturity.md):

- a dimension's claimed stage is the *lower median* of the stages of its answered questions
  (at least half of the answers are at or above it; a tie rounds down); unanswered questions
  are left out, and a dimension with no answer is "not assessed";
- the overall claimed stage is the minimum over the assessed dimensions (the weakest pillar
  caps maturity, as the weakest section caps the ML Test Score);
- a principle's claimed status is met / partial / not met for a lowest answer of 3 / 2 / 1
  among the questions that probe it;
- with a project, each dimension the evidence speaks to gets an evidenced stage
  (``maturity.evaluate``); claimed > evidenced is an over-claim;
- three next steps: over-claims first (largest gap first), then the lowest answers (Stage 1
  answers before Stage 2 ones), prerequisites of the next stage first, lowest dimension
  first, in questionnaire order; at most one step per dimension while others remain.
"""
from __future__ import annotations

import difflib
import json
import re
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mlcompliance.errors import InputError
from mlcompliance.evidence.loader import Document, escape_token, load_file

ASSESSMENT_VERSION = "1.0"
QUESTIONNAIRE_PATH = Path(__file__).resolve().parent.parent / "data" / "questionnaire.yaml"
STATUS_RANK = {"not_met": 0, "partial": 1, "met": 2}
_STATUS_OF_STAGE = {1: "not_met", 2: "partial", 3: "met"}
# principles whose practices define the next stage (playbook: Stage 2 = automated data and model
# validation and continuous training; Stage 3 = CI and CD on top)
_PREREQUISITES = {1: {"validation", "continuous_training"}, 2: {"automated_ci", "automated_cd"}}
SCORING_RULE = ("dimension = lower median of its answered stages (ties round down); overall = minimum over "
                "assessed dimensions; principle = met / partial / not met for a lowest answer of 3 / 2 / 1")
ANSWER_KEYS = ("questionnaire", "about", "answers")


# --- the questionnaire ----------------------------------------------------------------------

@dataclass(frozen=True)
class Option:
    id: str
    stage: int
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    topic: str
    text: str
    options: tuple[Option, ...]
    principle: str | None = None

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def at_stage(self, stage: int) -> Option | None:
        return next((o for o in self.options if o.stage == stage), None)


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    stages: dict[int, str]
    dimensions: tuple[dict[str, str], ...]
    principles: tuple[dict[str, Any], ...]
    questions: tuple[Question, ...]
    path: str

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def dimension_title(self, did: str) -> str:
        return next(d["title"] for d in self.dimensions if d["id"] == did)


def load_questionnaire(path: Path | None = None) -> Questionnaire:
    """Load and check a questionnaire file (default: the built-in one)."""
    path = path or QUESTIONNAIRE_PATH
    display = path.name if path == QUESTIONNAIRE_PATH else str(path)
    doc = load_file(path, display)
    v = doc.value

    def bad(pointer: str, message: str, expected: str | None = None) -> InputError:
        line, col = doc.location(pointer)
        return InputError(message, file=display, line=line, column=col, expected=expected)

    if not isinstance(v, dict):
        raise bad("", "a questionnaire must be a mapping")
    for key in ("id", "version", "title", "stages", "dimensions", "principles", "questions"):
        if key not in v:
            raise bad("", f"missing '{key}'")
    stages = {s["stage"]: s["label"] for s in v["stages"]}
    if sorted(stages) != [1, 2, 3]:
        raise bad("/stages", "stages must be 1, 2 and 3")
    dims = tuple({"id": d["id"], "title": d["title"], "pillar": d.get("pillar", "")} for d in v["dimensions"])
    dim_ids = [d["id"] for d in dims]
    principles = tuple(dict(p) for p in v["principles"])
    principle_ids = {p["id"] for p in principles}
    questions = []
    seen: set[str] = set()
    for i, q in enumerate(v["questions"]):
        ptr = f"/questions/{i}"
        if q.get("id") in seen:
            raise bad(ptr, f"duplicate question id '{q.get('id')}'")
        seen.add(q.get("id"))
        if q.get("dimension") not in dim_ids:
            raise bad(f"{ptr}/dimension", f"unknown dimension '{q.get('dimension')}'", ", ".join(dim_ids))
        if q.get("principle") is not None and q["principle"] not in principle_ids:
            raise bad(f"{ptr}/principle", f"unknown principle '{q['principle']}'", ", ".join(sorted(principle_ids)))
        options = tuple(Option(str(o["id"]), int(o["stage"]), str(o["text"])) for o in q.get("options", []))
        if len({o.id for o in options}) != len(options) or not {o.stage for o in options} >= {1, 2, 3} or \
                any(o.stage not in (1, 2, 3) for o in options):
            raise bad(f"{ptr}/options", "options need distinct ids and must cover stages 1, 2 and 3")
        questions.append(Question(str(q["id"]), q["dimension"], str(q.get("topic") or q["id"]), str(q["text"]),
                                  options, q.get("principle")))
    return Questionnaire(str(v["id"]), str(v["version"]), str(v["title"]), stages, dims, principles,
                         tuple(questions), display)


# --- answers --------------------------------------------------------------------------------

@dataclass
class Answers:
    about: dict[str, Any]
    choices: dict[str, str | None]      # question id -> option id (None = unanswered)
    source: str | None = None           # the answers file as the user named it


def load_answers(path: Path, q: Questionnaire) -> Answers:
    """Read and check an answers file; every problem is an InputError with file:line."""
    display = str(path)
    doc = load_file(path, display)
    return parse_answers(doc, q)


def parse_answers(doc: Document, q: Questionnaire) -> Answers:
    def bad(pointer: str, message: str, expected: str | None = None) -> InputError:
        line, col = doc.location(pointer)
        return InputError(message, file=doc.path, line=line, column=col, expected=expected)

    v = doc.value
    if v is None:
        v = {}
    if not isinstance(v, dict):
        raise bad("", "an answers file must be a mapping", "keys " + ", ".join(ANSWER_KEYS))
    for key in v:
        if key not in ANSWER_KEYS:
            raise bad(f"/{escape_token(key)}", f"unknown key '{key}'", ", ".join(ANSWER_KEYS))
    ref = v.get("questionnaire")
    if ref is not None and ref not in (q.id, q.ref):
        raise bad("/questionnaire", f"answers are for questionnaire '{ref}', not '{q.ref}'", q.ref)
    about = v.get("about")
    if about is None:
        about = {}
    if not isinstance(about, dict):
        raise bad("/about", "'about' must be a mapping", "organisation, respondent, role, date, ...")
    for key, value in about.items():
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise bad(f"/about/{escape_token(key)}", f"'about.{key}' must be a single value", "text")
    raw = v.get("answers")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise bad("/answers", "'answers' must be a mapping of question id to option", "question-id: option letter")
    ids = [x.id for x in q.questions]
    choices: dict[str, str | None] = {}
    for key, value in raw.items():
        pointer = f"/answers/{escape_token(key)}"
        question = q.question(key)
        if question is None:
            close = difflib.get_close_matches(key, ids, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "a question id of " + q.ref
            raise bad(pointer, f"unknown question id '{key}'", hint)
        if value is None or value == "":
            choices[key] = None
            continue
        options = ", ".join(o.id for o in question.options)
        if not isinstance(value, str) or question.option(value.strip()) is None:
            shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"'{value}'"
            raise bad(pointer, f"invalid answer {shown} to '{key}'", f"one of {options}, or empty to skip")
        choices[key] = value.strip()
    return Answers({str(k): about[k] for k in about}, choices, doc.path)


def template(q: Questionnaire, answers: Answers | None = None) -> str:
    """An answers file to fill in (or, with ``answers``, a filled one): YAML with the questions as comments."""
    about = dict(answers.about) if answers else {}
    for key in ("organisation", "respondent", "role", "date"):
        about.setdefault(key, "")
    lines = [
        f"# {q.title} ({q.ref})",
        "#",
        "# For each question, write the letter of the option that best describes how your organisation",
        "# works today (leave it empty to skip the question). Then run:",
        "#   mlcompliance assess --answers THIS_FILE [--project PROJECT_DIR] [--format text|json|md]",
        f"questionnaire: {q.ref}",
        "about:",
    ]
    lines += [f"  {_yaml_key(k)}: {_yaml_scalar(v)}" for k, v in about.items()]
    lines.append("answers:")
    current = None
    for question in q.questions:
        if question.dimension != current:
            current = question.dimension
            lines += ["", f"  # ===== {q.dimension_title(current)} ====="]
        lines.append("")
        lines += _comment(f"{question.topic}: {question.text}", "  # ")
        for option in question.options:
            lines += _comment(f"{option.id}) {option.text}", "  #   ", "  #      ")
        choice = (answers.choices.get(question.id) if answers else None) or ""
        lines.append(f"  {question.id}: {choice}".rstrip())
    return "\n".join(lines) + "\n"


def _comment(text: str, first: str, rest: str | None = None) -> list[str]:
    wrapped = textwrap.wrap(text, width=100 - len(first)) or [""]
    rest = rest if rest is not None else first
    return [(first if i == 0 else rest) + line for i, line in enumerate(wrapped)]


def _yaml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key, ensure_ascii=False)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


# --- scoring --------------------------------------------------------------------------------

def dimension_stage(stages: list[int]) -> int | None:
    """Lower median of the answered stages: at least half the answers are at or above it."""
    if not stages:
        return None
    ordered = sorted(stages)
    return ordered[(len(ordered) - 1) // 2]


def claimed_status(stages: list[int]) -> str | None:
    return _STATUS_OF_STAGE[min(stages)] if stages else None


def assess(q: Questionnaire, answers: Answers, as_of: date, maturity: dict[str, Any] | None = None) -> dict[str, Any]:
    """The assessment result: JSON-ready and deterministic."""
    evidenced_dims = (maturity or {}).get("dimensions", {})
    dimensions = []
    for index, dim in enumerate(q.dimensions):
        qs = [x for x in q.questions if x.dimension == dim["id"]]
        chosen = [(x, x.option(answers.choices[x.id])) for x in qs if answers.choices.get(x.id)]
        stages = [o.stage for _, o in chosen if o]
        claimed = dimension_stage(stages)
        ev = evidenced_dims.get(dim["id"]) if maturity is not None else None
        evidenced = ev["stage"] if ev else None
        row: dict[str, Any] = {
            "id": dim["id"], "title": dim["title"], "pillar": dim["pillar"],
            "claimed_stage": claimed, "lowest_answer": min(stages) if stages else None,
            "answered": len(stages), "questions": len(qs),
            "answers": [{"question": x.id, "topic": x.topic, "option": o.id, "stage": o.stage, "text": o.text}
                        for x, o in chosen if o],
            "evidenced_stage": evidenced,
            "over_claim": claimed is not None and evidenced is not None and claimed > evidenced,
        }
        if ev:
            row["evidence_met"] = list(ev.get("met", []))
            row["evidence_missing"] = list(ev.get("missing_for_next", []))
        dimensions.append(row)
    assessed = [d["claimed_stage"] for d in dimensions if d["claimed_stage"] is not None]
    overall_claimed = min(assessed) if assessed else None
    overall_evidenced = maturity["stage"]["stage"] if maturity else None
    principles = _principles(q, answers, maturity)
    result: dict[str, Any] = {
        "assessment_version": ASSESSMENT_VERSION,
        "questionnaire": {"id": q.id, "version": q.version, "title": q.title},
        "as_of": as_of.isoformat(),
        "about": answers.about,
        "scoring_rule": SCORING_RULE,
        "overall": {
            "claimed_stage": overall_claimed,
            "claimed_label": q.stages.get(overall_claimed) if overall_claimed else None,
            "evidenced_stage": overall_evidenced,
            "evidenced_label": q.stages.get(overall_evidenced) if overall_evidenced else None,
            "over_claim": bool(overall_claimed and overall_evidenced and overall_claimed > overall_evidenced),
        },
        "dimensions": dimensions,
        "principles": principles,
        "project": _project_summary(maturity) if maturity else None,
        "scope_check": scope_check(answers.about, maturity["project"]) if maturity else None,
        "over_claims": [d["id"] for d in dimensions if d["over_claim"]],
        "over_claimed_principles": [p["id"] for p in principles if p["over_claim"]],
        "recommendations": recommend(q, dimensions),
        "unanswered": [x.id for x in q.questions if not answers.choices.get(x.id)],
    }
    return result


def _principles(q: Questionnaire, answers: Answers, maturity: dict[str, Any] | None) -> list[dict[str, Any]]:
    evidenced = {p["id"]: p for p in (maturity or {}).get("principles", [])}
    out = []
    for p in q.principles:
        stages = [x.option(answers.choices[x.id]).stage for x in q.questions  # type: ignore[union-attr]
                  if x.principle == p["id"] and answers.choices.get(x.id)]
        claimed = claimed_status(stages)
        ev = evidenced.get(p["id"], {}).get("status") if maturity else None
        if ev == "not_applicable":
            ev = None
        out.append({"number": p["number"], "id": p["id"], "title": p["title"], "claimed": claimed, "evidenced": ev,
                    "over_claim": bool(claimed and ev and STATUS_RANK[claimed] > STATUS_RANK[ev])})
    return out


SCOPE_KEYS = ("scope", "system", "project", "model")
_STOP = frozenset({"the", "and", "for", "with", "model", "team", "system", "project", "of", "a", "an"})


def _words(value: str) -> set[str]:
    return {w for w in re.split(r"[^0-9a-z]+", value.lower()) if len(w) > 1 and w not in _STOP}


def scope_check(about: dict[str, Any], project: str) -> dict[str, Any] | None:
    """Whether the answers' stated scope (``about.scope``, ``system``, ``project`` or ``model``)
    names the project they are compared with: the scope contains the project's name, or most of
    its words. None when the answers state no scope. ``same_system`` false: the report warns that
    the claims describe another system than the evidence."""
    key = next((k for k in SCOPE_KEYS if str(about.get(k) or "").strip()), None)
    if key is None:
        return None
    scope = str(about[key]).strip()
    name_words, scope_words = _words(project), _words(scope)
    contained = bool(project.strip()) and (project.lower() in scope.lower() or scope.lower() in project.lower())
    shared = len(name_words & scope_words) / len(name_words) if name_words else 0.0
    same = bool(contained) or shared >= 0.5
    return {"key": key, "scope": scope, "project": project, "same_system": same,
            "warning": None if same else (f"The answers' {key} ('{scope}') does not name the project compared "
                                          f"('{project}'): the claims may describe another system than the evidence.")}


def _project_summary(m: dict[str, Any]) -> dict[str, Any]:
    mts = m["ml_test_score"]
    return {"name": m["project"], "stage": m["stage"]["stage"], "label": m["stage"]["label"],
            "below_baseline": m["stage"]["below_baseline"], "why": m["stage"]["why"],
            "google_level": m["google_level"], "azure_level": m["azure_level"],
            "ml_test_score": {"sections": mts["sections"], "final": mts["final"], "band": mts["band"]}}


def recommend(q: Questionnaire, dimensions: list[dict[str, Any]], limit: int = 3) -> list[dict[str, Any]]:
    """The ``limit`` most valuable next steps, ranked as documented in the module docstring."""
    candidates: list[tuple[tuple, dict[str, Any]]] = []
    order = {x.id: i for i, x in enumerate(q.questions)}
    for d_index, dim in enumerate(dimensions):
        if dim["over_claim"]:
            gap = dim["claimed_stage"] - dim["evidenced_stage"]
            missing = dim.get("evidence_missing") or []
            action = (f"Back the Stage {dim['claimed_stage']} claim for {dim['title']} with evidence, or correct it: "
                      f"the project evidences Stage {dim['evidenced_stage']}.")
            if missing:
                action += f" To evidence Stage {dim['evidenced_stage'] + 1}: " + "; ".join(missing) + "."
            candidates.append(((0, -gap, d_index, 0), {
                "kind": "over_claim", "dimension": dim["id"], "question": None,
                "from_stage": dim["evidenced_stage"], "to_stage": dim["evidenced_stage"] + 1, "action": action,
                "why": f"claimed Stage {dim['claimed_stage']} > evidenced Stage {dim['evidenced_stage']}"}))
        for answer in dim["answers"]:
            if answer["stage"] >= 3:
                continue
            question = q.question(answer["question"])
            assert question is not None
            target = question.at_stage(answer["stage"] + 1)
            prerequisite = question.principle in _PREREQUISITES[answer["stage"]]
            why = f"answered at Stage {answer['stage']}"
            if prerequisite:
                why += f"; a prerequisite of Stage {answer['stage'] + 1} in the playbook"
            candidates.append(((1, answer["stage"], 0 if prerequisite else 1, dim["claimed_stage"] or 0, d_index,
                                order[question.id]), {
                "kind": "next_stage", "dimension": dim["id"], "question": question.id,
                "from_stage": answer["stage"], "to_stage": answer["stage"] + 1,
                "action": f"{question.topic}: {target.text if target else 'move to the next stage'}", "why": why}))
    candidates.sort(key=lambda c: c[0])
    picked: list[dict[str, Any]] = []
    used: set[str] = set()
    for _, cand in candidates:
        if len(picked) < limit and cand["dimension"] not in used:
            picked.append(cand)
            used.add(cand["dimension"])
    for _, cand in candidates:
        if len(picked) < limit and cand not in picked:
            picked.append(cand)
    return [{"rank": i + 1, **c} for i, c in enumerate(picked)]


# --- rendering ------------------------------------------------------------------------------
