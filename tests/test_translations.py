"""The French catalogue is whole and compiled: every message of the code has its French
text in locale/fr/LC_MESSAGES/django.po, none is fuzzy, and django.mo says the same."""

import ast
import gettext
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def entries(text: str) -> list[dict]:
    """The entries of a .po file: their flags, msgid (with its plural) and msgstr(s)."""
    parsed = []
    for block in text.split("\n\n"):
        entry: dict = {"flags": set(), "msgid": None, "plural": None, "msgstr": []}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("msgid_plural "):
                entry["plural"], current = ast.literal_eval(line[13:]), "plural"
            elif line.startswith("msgid "):
                entry["msgid"], current = ast.literal_eval(line[6:]), "msgid"
            elif line.startswith("msgstr"):
                entry["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
                current = "msgstr"
            elif line.startswith('"') and current == "msgstr":
                entry["msgstr"][-1] += ast.literal_eval(line)
            elif line.startswith('"') and current in ("msgid", "plural"):
                entry[current] += ast.literal_eval(line)
        if entry["msgid"]:  # the header has an empty msgid
            parsed.append(entry)
    return parsed


def test_the_parser_reads_plurals_continuations_and_flags():
    text = (
        '#, fuzzy, python-format\nmsgid "one %(n)d"\nmsgid_plural "many %(n)d"\n'
        'msgstr[0] "un"\nmsgstr[1] "plu"\n"sieurs"\n\nmsgid ""\n"long "\n"text"\nmsgstr ""\n'
    )

    assert entries(text) == [
        {
            "flags": {"fuzzy", "python-format"},
            "msgid": "one %(n)d",
            "plural": "many %(n)d",
            "msgstr": ["un", "plusieurs"],
        },
        {"flags": set(), "msgid": "long text", "plural": None, "msgstr": [""]},
    ]


def test_every_message_is_translated_and_compiled():
    catalogue = entries(PO.read_text(encoding="utf-8"))
    compiled = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))

    assert len(catalogue) > 600
    assert [entry["msgid"] for entry in catalogue if "fuzzy" in entry["flags"]] == []
    assert [entry["msgid"] for entry in catalogue if not all(entry["msgstr"])] == []
    stale = [
        entry["msgid"]
        for entry in catalogue
        if entry["plural"] is None and compiled.gettext(entry["msgid"]) != entry["msgstr"][0]
    ]
    assert stale == []
