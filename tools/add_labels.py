"""Add labels to nsra's catalogues: ``python tools/add_labels.py labels.yaml``.

``labels.yaml`` maps each new key to its texts: ``{key: {en: ..., nl: ..., fr: ...}}``. The
entries are appended to ``nsra.pot`` and to every language's ``nsra.po`` that lacks them (a
language missing from the file gets an empty, untranslated entry, shown in English until
translated). Running it again adds nothing twice, so after a new catalogue is added it fills
that catalogue. A key already in the template with another English text is an error and
nothing is written.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "src" / "nsra" / "locale"


def _entries(labels: dict[str, dict[str, str]], lang: str | None) -> str:
    catalogue = Catalog(locale=lang)
    for key, texts in labels.items():
        catalogue.add(texts["en"], "" if lang is None else texts.get(lang, ""), context=key)
    out = io.BytesIO()
    write_po(out, catalogue, width=100, omit_header=True, no_location=True)
    return out.getvalue().decode("utf-8")


def main(path: str) -> int:
    labels = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    with (ROOT / "nsra.pot").open("rb") as f:
        known = {m.context: m.id for m in read_po(f) if m.id}
    clash = sorted(k for k in labels if k in known and known[k] != labels[k].get("en"))
    if clash:
        print(f"{path}: these keys exist with other English: {', '.join(clash)}", file=sys.stderr)
        return 1
    for key, texts in labels.items():
        if not isinstance(texts, dict) or not texts.get("en"):
            print(f"{path}: {key}: give at least its English text (en)", file=sys.stderr)
            return 1
    targets = {ROOT / "nsra.pot": None}
    for folder in sorted(ROOT.iterdir()):
        po = folder / "LC_MESSAGES" / "nsra.po"
        if po.is_file():
            targets[po] = folder.name
    added = 0
    for target, lang in targets.items():
        with target.open("rb") as f:
            present = {m.context for m in read_po(f) if m.id}
        missing = {k: v for k, v in labels.items() if k not in present}
        if missing:
            text = target.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
            target.write_text(text + _entries(missing, lang).lstrip("\n"), encoding="utf-8")
            added += len(missing)
    print(f"added {added} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
