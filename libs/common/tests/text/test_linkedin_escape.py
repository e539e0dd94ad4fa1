"""LinkedIn little-text escaping."""

import pytest

from herald_common.text import escape_little_text


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain text", "plain text"),
        ("(parens) [brackets] {braces}", r"\(parens\) \[brackets\] \{braces\}"),
        ("a|b <c> *d* _e_ ~f~", r"a\|b \<c\> \*d\* \_e\_ \~f\~"),
        ("back\\slash", "back\\\\slash"),
        ("\\(", "\\\\\\("),  # the backslash is escaped first, then the parenthesis
        ("email me@example.com", r"email me\@example.com"),
        ("Launch day #herald #AI_2025", "Launch day #herald #AI_2025"),
        ("issue #42 and C# and a#b", r"issue \#42 and C\# and a\#b"),
        ("Thanks @[Jane Doe](urn:li:person:abc123)!", "Thanks @[Jane Doe](urn:li:person:abc123)!"),
        ("@[Acme](urn:li:organization:42) (hi)", r"@[Acme](urn:li:organization:42) \(hi\)"),
        ("@[broken](not a urn)", r"\@\[broken\]\(not a urn\)"),
        ("100% ready: yes!", "100% ready: yes!"),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape_little_text(text) == escaped


def test_every_reserved_character_is_escaped_once() -> None:
    reserved = "\\|{}@[]()<>#*_~"
    assert escape_little_text(reserved) == "".join("\\" + char for char in reserved)
