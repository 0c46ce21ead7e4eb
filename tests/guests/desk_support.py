"""For the tests of the profile at the desk: reading one element of a page or of an htmx answer."""
import re

HTMX = {"HX-Request": "true"}


def part(html: str, element_id: str) -> str:
    """The element with this id, its nested elements of the same tag included."""
    start = re.search(rf'<(\w+) id="{element_id}"', html)
    assert start, f"#{element_id} is in the answer"
    depth = 0
    for tag in re.finditer(rf"<(/?){start.group(1)}\b[^>]*>", html[start.start():]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return html[start.start():start.start() + tag.end()]
    raise AssertionError(f"#{element_id} is not closed")
