"""Fill a .po file from a JSON dictionary {msgid: msgstr}.

Usage: python tools/fill_po.py locale/fr/LC_MESSAGES/django.po tools/fr.json

Entries that are empty, marked fuzzy (makemessages guesses from a changed msgid) or that
disagree with the dictionary take the dictionary's translation; the fuzzy flag and the
previous msgid go. Prints the msgids the dictionary lacks and exits 1 if there are any.
"""

import json
import sys
from pathlib import Path


def _joined(lines: list[str]) -> str:
    return "".join(
        json.loads(line.split(" ", 1)[1] if not line.startswith('"') else line) for line in lines
    )


def fill(po_path: str, json_path: str) -> int:
    translations = json.loads(Path(json_path).read_text(encoding="utf-8"))
    entries = Path(po_path).read_text(encoding="utf-8").split("\n\n")
    missing, result = [], []
    for entry in entries:
        lines = entry.split("\n")
        msgid_at = next((i for i, line in enumerate(lines) if line.startswith("msgid ")), None)
        msgstr_at = next((i for i, line in enumerate(lines) if line.startswith("msgstr ")), None)
        if msgid_at is None or msgstr_at is None:
            result.append(entry)
            continue
        msgid = _joined(lines[msgid_at:msgstr_at])
        msgstr = _joined([line for line in lines[msgstr_at:] if line.startswith(("msgstr", '"'))])
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines[:msgid_at])
        # The dictionary is the source: an entry that disagrees with it takes its sentence.
        settled = msgstr and not fuzzy and translations.get(msgid, msgstr) == msgstr
        if not msgid or settled:
            result.append(entry)
            continue
        if msgid not in translations:
            missing.append(msgid)
            result.append(entry)
            continue
        comments = []
        for line in lines[:msgid_at]:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
                if not flags:
                    continue
                line = "#, " + ", ".join(flags)
            comments.append(line)
        translated = json.dumps(translations[msgid], ensure_ascii=False)
        result.append("\n".join([*comments, *lines[msgid_at:msgstr_at], f"msgstr {translated}"]))
    Path(po_path).write_text("\n\n".join(result), encoding="utf-8")
    for msgid in missing:
        print("untranslated:", msgid)
    return len(missing)


if __name__ == "__main__":
    sys.exit(1 if fill(sys.argv[1], sys.argv[2]) else 0)
