"""Reading pages as a browser would, for tests that speak HTTP."""

from html.parser import HTMLParser


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
