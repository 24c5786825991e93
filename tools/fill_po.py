"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

Usage: python tools/fill_po.py locale/fr/LC_MESSAGES/django.po tools/fr.json
Multi-line msgids (as makemessages wraps them) are joined before the look-up.
"""

import json
import re
import sys
from pathlib import Path


def fill(po_path: str, json_path: str) -> int:
    translations = json.loads(Path(json_path).read_text(encoding="utf-8"))
    text = Path(po_path).read_text(encoding="utf-8")
    missing = []

    def replace(match):
        quoted = match.group(1).strip().split("\n")
        msgid = "".join(json.loads(part) for part in quoted)
        if msgid in translations:
            translated = json.dumps(translations[msgid], ensure_ascii=False)
            return f"msgid {match.group(1).strip()}\nmsgstr {translated}\n"
        if msgid:
            missing.append(msgid)
        return match.group(0)

    text = re.sub(r'^msgid ((?:".*"\n)+)msgstr ""\n', replace, text, flags=re.M)
    text = text.replace("#, fuzzy\n", "")
    Path(po_path).write_text(text, encoding="utf-8")
    for msgid in missing:
        print("untranslated:", msgid)
    return len(missing)


if __name__ == "__main__":
    sys.exit(1 if fill(sys.argv[1], sys.argv[2]) else 0)
