"""Fail on the filler phrases and brand misspellings the book's style rules ban.

Usage: ``python tools/check_prose.py [FILE ...]`` (default: the chapters listed in
``_toc.yml`` and the ``_data`` tables; the README and CONTRIBUTING quote the phrases).
Prints ``file:line: phrase`` for each hit and exits 1 if there is any. Matching is
case-insensitive for phrases and exact for brand spellings; code spans and URLs
are ignored.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Filler and hype the style guide bans (CONTRIBUTING.md, "How the book is written").
BANNED_PHRASES = [
    "in today's fast-paced world",
    "delve",
    "game-changer",
    "game changer",
    "revolutionise",
    "revolutionize",
    "unlock the power",
    "it is important to note",
    "a testament to",
    "ever-evolving landscape",
    "seamless",
    "cutting-edge",
    "robust solution",
]
# Wrong spelling -> right spelling, matched as whole words with their exact case.
BRANDS = {
    "Github": "GitHub",
    "Huggingface": "Hugging Face",
    "HuggingFace": "Hugging Face",
    "Pytorch": "PyTorch",
    "Tensorflow": "TensorFlow",
    "Javascript": "JavaScript",
    "Open AI": "OpenAI",
}
IGNORED = re.compile(r"`[^`]*`|https?://\S+")


def problems(path: Path) -> list[str]:
    """``path:line: message`` for every banned phrase or brand misspelling."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = IGNORED.sub(" ", line)
        lower = text.lower()
        found += [
            f"{path}:{number}: banned phrase {phrase!r}"
            for phrase in BANNED_PHRASES
            if re.search(rf"\b{re.escape(phrase)}", lower)
        ]
        found += [
            f"{path}:{number}: write {right!r}, not {wrong!r}"
            for wrong, right in BRANDS.items()
            if re.search(rf"\b{re.escape(wrong)}\b", text)
        ]
    return found


def main(argv: list[str]) -> int:
    """Check the given files, or every chapter and data file."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    chapters = [toc["root"], *(entry["file"] for entry in toc["chapters"])]
    files = [Path(a) for a in argv] or [
        *(ROOT / f"{name}.md" for name in chapters),
        *sorted((ROOT / "_data").glob("*.yml")),
    ]
    hits = [hit for path in files for hit in problems(path)]
    print("\n".join(hits) if hits else f"prose: ok ({len(files)} files)")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
