"""Reading the app's HTML in tests: which choices a form shows as chosen."""

from html.parser import HTMLParser


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def checked_values(body: str, name: str) -> set[str]:
    """The values of the checked checkboxes or radio buttons named `name`."""
    parser = _Inputs()
    parser.feed(body)
    return {i.get("value") or "" for i in parser.inputs if i.get("name") == name and "checked" in i}
