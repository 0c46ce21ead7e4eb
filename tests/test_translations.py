"""The Simplified Chinese catalog: complete, in step with the code, and faithful to the
placeholders and markup of each English message. Needs neither the app nor a database."""
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "guestrel" / "translations"
CHINESE_PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"

# printf-style conversions as Python's % operator reads them, named or not, and %% itself.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|&\w+;|&#\d+;")


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _messages(catalog):
    return [message for message in catalog if message.id]


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _label(message) -> str:
    return _ids(message)[0]


@pytest.fixture(scope="module")
def chinese():
    return _read(CHINESE_PO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages of the code as it is now, extracted the way `make extract-messages` does."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
            "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return _read(pot)


def test_catalog_declares_simplified_chinese_with_a_single_plural_form(chinese):
    assert str(chinese.locale) == "zh_Hans_CN"
    assert chinese.num_plurals == 1
    assert chinese.plural_expr == "0"


def test_every_message_is_translated_and_none_is_fuzzy(chinese):
    untranslated = [_label(m) for m in _messages(chinese) if not all(_strings(m))]
    fuzzy = [_label(m) for m in _messages(chinese) if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert not chinese.fuzzy, "the catalog header is still marked fuzzy"


def test_every_message_in_the_code_is_in_the_chinese_catalog(chinese, extracted):
    """Fails when a string is added to the code without `make extract-messages` and a translation."""
    missing = [_label(m) for m in _messages(extracted) if chinese.get(m.id, m.context) is None]
    assert missing == [], "run `make extract-messages` and translate: " + repr(missing)
    plural_changed = [
        _label(m) for m in _messages(extracted)
        if _ids(m) != _ids(chinese.get(m.id, m.context))
    ]
    assert plural_changed == []


def test_every_translation_keeps_the_placeholders_of_its_source(chinese):
    wrong = []
    for message in _messages(chinese):
        if "python-format" not in message.flags:
            continue
        # Chinese has one plural form, used for every count, so it must carry the plural's placeholders.
        expected = Counter(PLACEHOLDER.findall(_ids(message)[-1]))
        for string in _strings(message):
            if Counter(PLACEHOLDER.findall(string)) != expected:
                wrong.append((_label(message), string))
    assert wrong == []


def test_every_translation_keeps_the_markup_of_its_source(chinese):
    wrong = [
        (_label(message), string)
        for message in _messages(chinese)
        for string in _strings(message)
        if Counter(MARKUP.findall(string)) != Counter(MARKUP.findall(_ids(message)[-1]))
    ]
    assert wrong == []
