#!/usr/bin/env python3
"""Fill translations into a .po file from a JSON dict {msgid: msgstr or [singular, plural]}.

Used after `make messages` to apply translations reviewed by a person; clears fuzzy flags and
previous-msgid comments of the entries it fills. Prints the msgids still untranslated or fuzzy.
"""

import json
import re
import sys
from pathlib import Path


def unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main(po_path: str, json_path: str) -> None:
    translations = json.loads(Path(json_path).read_text(encoding="utf-8"))
    blocks = Path(po_path).read_text(encoding="utf-8").split("\n\n")
    out, remaining = [], []
    for block in blocks:
        lines = block.split("\n")
        fields: dict[str, list[str]] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
            else:
                current = None
        msgid = unquote(fields.get("msgid", ['""']))
        if not msgid:
            out.append(block)
            continue
        context = unquote(fields["msgctxt"]) if "msgctxt" in fields else None
        # An entry with a context is looked up as "context\u0004msgid", as gettext itself does.
        value = translations.get(f"{context}\u0004{msgid}" if context is not None else msgid)
        comments = [line for line in lines if line.startswith("#") and not line.startswith("#|")]
        fuzzy = any("fuzzy" in line for line in comments if line.startswith("#,"))
        if value is not None:
            comments = [re.sub(r"fuzzy, |, fuzzy|fuzzy", "", c) if c.startswith("#,") else c for c in comments]
            comments = [c for c in comments if c.strip() not in ("#,", "#")]
            new = [*comments]
            if context is not None:
                new.append(f"msgctxt {quote(context)}")
            new.append(f"msgid {quote(msgid)}")
            if "msgid_plural" in fields:
                singular, plural = value if isinstance(value, list) else [value, value]
                new.append(f"msgid_plural {quote(unquote(fields['msgid_plural']))}")
                new += [f"msgstr[0] {quote(singular)}", f"msgstr[1] {quote(plural)}"]
            else:
                new.append(f"msgstr {quote(value)}")
            out.append("\n".join(new))
            continue
        strs = [unquote(v) for k, v in fields.items() if k.startswith("msgstr")]
        if fuzzy or not all(strs):
            remaining.append(f"[{context}] {msgid}" if context is not None else msgid)
        out.append(block)
    Path(po_path).write_text("\n\n".join(out), encoding="utf-8")
    for msgid in remaining:
        print("STILL TODO:", msgid)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
