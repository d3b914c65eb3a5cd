"""Reading pages as a browser would, for tests that speak HTTP."""

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


class FormFields(HTMLParser):
    """The name/value pairs of a page's inputs (what its forms would send), and its forms'
    attributes."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.forms: list[dict[str, str | None]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(attributes)
        elif tag == "input" and attributes.get("name"):
            self.fields.append((attributes["name"], attributes.get("value") or ""))


@dataclass(frozen=True)
class Target:
    """Where a link, a form or an htmx attribute of a page leads, and the words it shows."""

    method: str
    url: str
    text: str
    htmx: bool = False


class Targets(HTMLParser):
    """The targets of a page at `url` that lie inside the site."""

    def __init__(self, url: str, page: str) -> None:
        super().__init__()
        self.url = url
        self.found: list[Target] = []
        self._links: list[tuple[str, list[str]]] = []
        self.feed(page)

    def _add(self, method: str, href: str | None, text: str = "", *, htmx: bool = False) -> None:
        if href is None or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            return
        parts = urlsplit(urljoin(self.url, href))
        if parts.netloc in ("", "testserver") and parts.scheme in ("", "http"):
            url = parts.path + (f"?{parts.query}" if parts.query else "")
            self.found.append(Target(method, url, " ".join(text.split()), htmx))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "a" and "href" in attributes:
            self._links.append((attributes["href"], []))
        elif tag == "form":
            self._add(attributes.get("method", "get").lower(), attributes.get("action") or "")
        elif tag == "button" and "formaction" in attributes:
            self._add("post", attributes["formaction"])
        for method in ("get", "post"):
            if f"hx-{method}" in attributes:
                self._add(method, attributes[f"hx-{method}"], htmx=True)

    def handle_data(self, data: str) -> None:
        for _, text in self._links:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            href, text = self._links.pop()
            self._add("get", href, "".join(text))
