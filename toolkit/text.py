"""Typed text that ICMS shows between its own quotation marks: a goal in the young person's
words, a task or an action named in a message."""

# Opening mark -> its closing mark, and the family a mark belongs to.
PAIRS = {'"': '"', "“": "”", "„": "“", "'": "'", "\u2018": "\u2019", "«": "»"}
DOUBLE = frozenset('"“”„«»')
SINGLE = frozenset("'\u2018\u2019")  # straight, left and right single quotation marks


def _encloses(text: str) -> bool:
    """Whether the writer's own quotation marks open and close the whole of `text`, with no
    other mark of theirs in between (an apostrophe between letters, as in "I'll", is none)."""
    if len(text) < 2 or PAIRS.get(text[0]) != text[-1]:
        return False
    inner = text[1:-1]
    marks = DOUBLE if text[0] in DOUBLE else SINGLE
    for i, mark in enumerate(inner):
        apostrophe = (
            mark in SINGLE and 0 < i < len(inner) - 1 and inner[i - 1].isalpha()
            and inner[i + 1].isalpha()
        )  # fmt: skip
        if mark in marks and not apostrophe:
            return False
    return True


def quoted(text: object) -> str:
    """`text` between curly quotation marks, once: what is typed is stored as typed, and when
    the writer already put the whole of it between quotation marks (as one writes someone's
    words), those are the ones shown. Quotation marks inside the text stay as they are."""
    text = str(text).strip()
    inner = text[1:-1].strip() if _encloses(text) else text
    return f"“{inner}”"
