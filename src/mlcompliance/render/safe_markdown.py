"""Markdown from untrusted inputs, made inert before it reaches an HTML report.

Every string in a result may come from evidence (a model card, a data manifest, a third-party
policy pack), so text that a report shows as Markdown goes through two independent steps:

1. the ``markdown`` package converts it to HTML, with one extension of ours that turns every
   link and image into plain text (``text (url)``): a report never links or loads anything;
2. the ``nh3`` sanitiser (an allow-list HTML cleaner) keeps only the harmless formatting tags
   listed in :data:`ALLOWED_TAGS`, **no attribute at all** (so no ``href``/``src``, no
   ``javascript:``/``data:`` URL, no ``on*`` event handler, no ``style``, no ``class`` that could
   imitate the report's own controls), drops comments, and removes ``script``, ``style``,
   ``svg``, ``math``, ``iframe`` and similar elements together with their content.

The output is safe to insert into the page unescaped (Jinja's ``Markup``).
Plain (non-Markdown) strings are never passed here: Jinja autoescapes them.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark",
    "code", "pre", "kbd", "samp", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span",
})
"""Tags kept by the sanitiser (content of any other tag is kept as text, except the next set)."""

DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "svg", "math", "iframe", "frame", "frameset", "object", "embed", "applet",
    "template", "noscript", "noembed", "noframes", "textarea", "title", "xmp", "plaintext", "select",
    "option", "button", "form", "head", "meta", "link", "base", "canvas", "audio", "video", "source",
    "track", "picture", "portal", "fencedframe",
})
"""Elements removed together with everything inside them."""


class _LinksAsText(Treeprocessor):
    """Rewrite ``<a href=u>t</a>`` to ``t (u)`` and ``<img src=u alt=t>`` to ``[image: t] (u)``."""

    def run(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag not in ("a", "img"):
                    continue
                url = child.get("href" if child.tag == "a" else "src") or ""
                span = ET.Element("span")
                if child.tag == "a":
                    span.text = child.text
                    for grandchild in list(child):
                        span.append(grandchild)
                    label_tail = " ("
                else:
                    span.text = f"[image: {child.get('alt') or ''}]"
                    label_tail = " ("
                if url and url != (child.text or ""):
                    if len(span):
                        last = span[-1]
                        last.tail = (last.tail or "") + label_tail
                    else:
                        span.text = (span.text or "") + label_tail
                    code = ET.SubElement(span, "code")
                    code.text = url
                    code.tail = ")"
                span.tail = child.tail
                parent.remove(child)
                parent.insert(index, span)


class _LinksAsTextExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API name
        md.treeprocessors.register(_LinksAsText(md), "mlcompliance_links_as_text", 0)


def sanitise(html: str) -> str:
    """Clean HTML with the allow-list above (no attributes, no URLs, no comments)."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT),
                     attributes={}, url_schemes=set(), strip_comments=True, link_rel=None,
                     generic_attribute_prefixes=set())


class MarkdownRenderer:
    """Markdown -> sanitised HTML, memoised per instance (one instance per report render).

    Reports repeat the same remediation text for every target of a rule, so the cache makes a
    500-finding report cheap. An instance holds no state beyond that cache.
    """

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=[_LinksAsTextExtension()], output_format="html")
        self._cache: dict[str, str] = {}

    def __call__(self, text: object) -> str:
        source = text if isinstance(text, str) else ("" if text is None else str(text))
        hit = self._cache.get(source)
        if hit is None:
            self._md.reset()
            hit = sanitise(self._md.convert(source)).strip()
            self._cache[source] = hit
        return hit


def render_markdown(text: object) -> str:
    """One-off convenience wrapper around :class:`MarkdownRenderer`."""
    return MarkdownRenderer()(text)
