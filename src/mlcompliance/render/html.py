"""The auditor's report: one self-contained HTML file, readable on screen and printed to PDF.

``render(result)`` is a pure function of the result dict (no clock, no input file, no
randomness), so ``mlcompliance render saved.json --format html`` is byte-identical to
``mlcompliance check --format html``. The page makes no network request of any kind: CSS and
JavaScript are inline, the maturity chart is inline SVG, and a Content-Security-Policy
(``default-src 'none'`` plus the sha256 of the report's own style and script) forbids
everything else, as a second line of defence behind escaping and sanitising.

Templates are Jinja2, autoescaped, under ``templates/html/`` (see docs/templates.md);
``render(result, template_dir=DIR)`` looks in DIR first, so any one template can be
overridden, and ``default/NAME`` always names the built-in one.
"""
from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from mlcompliance.render import view
from mlcompliance.render.common import visible
from mlcompliance.render.safe_markdown import MarkdownRenderer
from mlcompliance.resources import templates_dir

ENTRY_TEMPLATE = "report.html.j2"
PORTFOLIO_TEMPLATE = "portfolio.html.j2"
STYLE_TEMPLATE = "report.css"
SCRIPT_TEMPLATE = "report.js"
PAGE_TEMPLATE = "page.css.j2"
CSS_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-_/()")


def default_template_dir() -> Path:
    return templates_dir() / "html"


@lru_cache(maxsize=8)
def environment(template_dir: str | None = None) -> jinja2.Environment:
    """The (cached) Jinja2 environment: autoescape on, strict undefined, sandboxed, no reloads."""
    default = str(default_template_dir())
    search = [default] if template_dir is None else [template_dir, default]
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(search),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(default)}),
    ])
    env = ImmutableSandboxedEnvironment(
        loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, auto_reload=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, finalize=_visible,
    )
    env.filters["pct"] = view._pct
    env.filters["css_string"] = css_string
    return env


def _visible(value: Any) -> Any:
    """Every ``{{ ... }}`` of every template: control and direction characters shown as
    ``<U+XXXX>`` (``common.visible``), so no evidence text reverses or hides part of the page."""
    if isinstance(value, Markup):
        return Markup(visible(str(value), marker="&lt;U+{:04X}&gt;"))
    if isinstance(value, str):
        return visible(value)
    return value


def with_page_boxes(env: Any, style: str, boxes: dict[str, str]) -> str:
    """``style`` plus the printed page's running header and footer (``page.css.j2``: ``left``,
    ``center``, ``right`` and ``digest`` text, and "page X of Y")."""
    page = env.get_template(PAGE_TEMPLATE).render(boxes)
    if "</style" in page.lower():
        raise ValueError(f"template {PAGE_TEMPLATE} must not contain '</style'")
    return style.rstrip("\n") + "\n" + page


def css_string(value: Any) -> Markup:
    """``value`` as a quoted CSS string that nothing can break out of: control and direction
    characters made visible (``common.visible``), then every character outside a small safe set
    written as a CSS hex escape (``<`` -> ``\\3c ``), so no quote, backslash or ``</style``."""
    shown = visible(str(value), newlines=False)
    return Markup('"' + "".join(c if c in CSS_SAFE else f"\\{ord(c):x} " for c in shown) + '"')


def csp_hash(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def _inline(env: jinja2.Environment, name: str, marker: str) -> str:
    body = env.get_template(name).render()
    if marker in body.lower():
        raise ValueError(f"template {name} must not contain '{marker}'")
    return body


def render(result: dict[str, Any], template_dir: str | Path | None = None) -> str:
    """The HTML report of ``result``; ``template_dir`` overrides templates by name (None: built-ins only)."""
    return _render(result, template_dir, ENTRY_TEMPLATE, view.build)


def render_assessment(assessment: dict[str, Any], template_dir: str | Path | None = None) -> str:
    """The HTML page of a leaders' self-assessment (``mlcompliance assess --format html``)."""
    return _render(assessment, template_dir, "assess.html.j2", lambda a, md: {"a": a, "page": _assess_page(a)})


def _assess_page(a: dict[str, Any]) -> dict[str, str]:
    """The printed assessment's running header and footer: who assessed what, as of when, and the
    sha256 of its JSON (the bytes ``assess --format json`` writes), with page X of Y."""
    from mlcompliance.render.assessment import render_json
    about = a.get("about") or {}
    project = (a.get("project") or {}).get("name")
    return {"left": "MLOps self-assessment" + (f": {about['organisation']}" if about.get("organisation") else ""),
            "center": f"compared with {project}" if project else "",
            "right": f"as of {a.get('as_of')}",
            "digest": "assessment sha256 " + hashlib.sha256(render_json(a).encode("utf-8")).hexdigest()}


def _render(result: dict[str, Any], template_dir: str | Path | None, entry: str, build: Any) -> str:
    env = environment(None if template_dir is None else str(Path(template_dir)))
    to_html = MarkdownRenderer()

    def md(value: Any) -> Markup:
        return Markup(to_html(value))  # sanitised by nh3 in safe_markdown
    style = _inline(env, STYLE_TEMPLATE, "</style")
    script = _inline(env, SCRIPT_TEMPLATE, "</script")
    context = build(result, md)
    if "page" in context:
        style = with_page_boxes(env, style, context["page"])
    csp = ("default-src 'none'; "
           f"style-src '{csp_hash(style)}'; script-src '{csp_hash(script)}'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    context.update(style=Markup(style), script=Markup(script), csp=csp)
    html = env.get_template(entry).render(context)
    return html if html.endswith("\n") else html + "\n"
