"""What the browser tests check of a page's HTML, with the standard library's parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["PageStructure", "structure"]

_CONTROLS = {"input", "select", "textarea"}
_UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}
_VOID = {
    "meta",
    "link",
    "input",
    "br",
    "img",
    "hr",
    "source",
    "area",
    "base",
    "col",
    "wbr",
    "path",
    "line",
}


@dataclass
class PageStructure:
    doctype: str = ""
    lang: str | None = None
    titles: list[str] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    #: (tag, id, wrapped in a label) of every form control that needs a label.
    controls: list[tuple[str, str | None, bool]] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    unclosed: list[str] = field(default_factory=list)

    def unlabelled(self) -> list[str]:
        return [
            f"{tag}#{ident}"
            for tag, ident, wrapped in self.controls
            if not wrapped and (ident is None or ident not in self.label_for)
        ]

    def duplicate_ids(self) -> list[str]:
        return sorted({i for i in self.ids if self.ids.count(i) > 1})


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = PageStructure()
        self._stack: list[str] = []
        self._text: list[str] | None = None

    def handle_decl(self, decl: str) -> None:
        self.found.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.found.lang = values.get("lang")
        if values.get("id"):
            self.found.ids.append(str(values["id"]))
        if tag == "label" and values.get("for"):
            self.found.label_for.add(str(values["for"]))
        if tag in _CONTROLS and values.get("type") not in _UNLABELLED_INPUTS:
            self.found.controls.append((tag, values.get("id"), "label" in self._stack))
        for name in ("src", "href"):
            link = values.get(name) or ""
            if link.startswith(("http://", "https://", "//")) and tag in ("script", "link", "img"):
                self.found.external.append(link)
        if tag in ("title", "h1", "h2", "h3", "h4", "h5", "h6"):
            self._text = []
        if tag not in _VOID:
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass
        if self._text is not None and (tag == "title" or tag.startswith("h")):
            text = " ".join("".join(self._text).split())
            if tag == "title":
                self.found.titles.append(text)
            elif tag[1:].isdigit():
                self.found.headings.append((int(tag[1:]), text))
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        # Elements whose end tag is optional in HTML5 are not counted as unclosed.
        optional = {"p", "li", "tr", "td", "th", "option", "thead", "tbody", "tfoot"}
        self.found.unclosed = [t for t in self._stack if t not in optional]


def structure(page: str) -> PageStructure:
    parser = _Parser()
    parser.feed(page)
    parser.close()
    return parser.found
