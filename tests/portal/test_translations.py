"""Every message of every catalogue has its Simplified Chinese translation, and none is fuzzy.

Simplified Chinese is the default language: an empty msgstr shows the English source to every
Chinese user, and a fuzzy one (a guess gettext made when the source changed) is not used at all.
The crawl (tests/e2e/test_crawl.py) finds the strings that never reached a catalogue.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "node_modules", ".git", "staticfiles"}


def catalogues() -> list[Path]:
    found = []
    for path in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/*.po"):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            found.append(path)
    return sorted(found)


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str = ""
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: dict[int, str] = field(default_factory=dict)


def parse_po(path: Path) -> list[Entry]:
    """A reader for the PO files makemessages writes: comments, flags, msgctxt, msgid(_plural),
    msgstr / msgstr[n] with continuation lines. Obsolete entries (#~) are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and (entry.msgid or entry.msgstr):
                entry = None
            if line.startswith("#,"):
                entry = entry or Entry(line=number)
                entry.flags.update(f.strip() for f in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value = ast.literal_eval(line)
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        if keyword in ("msgctxt", "msgid") and entry is not None and (entry.msgid or entry.msgstr) and \
                not (keyword == "msgid" and entry.msgctxt and not entry.msgid):
            entry = None
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        elif entry not in entries:
            entries.append(entry)
        value = ast.literal_eval(rest)
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            entry.msgstr[index] = value
            target = ("msgstr", index)
        else:
            setattr(entry, keyword, value)
            target = (keyword, 0)
    return [e for e in entries if e.msgid]  # the header has an empty msgid


def test_there_are_catalogues():
    names = {p.relative_to(ROOT).parts[0] for p in catalogues()}
    assert {"locale", "filings", "institutions", "enrolments", "dashboards"} <= names


def test_the_reader_sees_fuzzy_and_empty_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n#: a.py:1\nmsgid "Done"\nmsgstr "完成"\n\n'
                  '#: a.py:2\n#, fuzzy, python-format\nmsgid "%(n)s places"\nmsgstr "%(n)s 个"\n\n'
                  'msgctxt "verb"\nmsgid ""\n"File"\nmsgstr ""\n\n#~ msgid "Old"\n#~ msgstr ""\n', encoding="utf-8")
    entries = parse_po(po)
    assert [(e.msgid, e.msgctxt, "fuzzy" in e.flags, e.msgstr[0]) for e in entries] == [
        ("Done", "", False, "完成"), ("%(n)s places", "", True, "%(n)s 个"), ("File", "verb", False, "")]


@pytest.mark.parametrize("catalogue", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_has_a_chinese_translation_and_none_is_fuzzy(catalogue):
    problems = []
    for entry in parse_po(catalogue):
        label = f"line {entry.line}: {entry.msgid[:70]!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{label} is fuzzy")
        if not entry.msgstr or any(not s.strip() for s in entry.msgstr.values()):
            problems.append(f"{label} has no translation")
    assert not problems, f"{catalogue.relative_to(ROOT)}:\n" + "\n".join(problems)
