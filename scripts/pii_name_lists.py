"""Derive the compact name lists of the PII engine's name tier from the US Census name files.

The PyPI package ``names`` (MIT, 0.3.0) ships the 1990 US Census frequency lists (public domain):
``dist.male.first``, ``dist.female.first`` and ``dist.all.last``. This script reads them and writes
``src/privacyops/pii/recognizers/names.json``: every first name, and the most common last names
(by census rank), title-cased, minus words that are far more often something else in running text.

usage: pip download --no-deps names==0.3.0 && tar xzf names-0.3.0.tar.gz
       python scripts/pii_name_lists.py names-0.3.0/names [--last 25000]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/privacyops/pii/recognizers/names.json"

# Census first names that are, in chat and log text, mostly ordinary words after a capital letter.
NOT_FIRST = {
    "Will", "May", "Art", "Page", "Long", "Major", "King", "Young", "Royal", "Sale", "Else", "In", "An",
    "So", "Do", "Go", "My", "Me", "Her", "His", "Us", "Say", "See", "Sun", "Star", "Love", "Merry",
    "Joy", "Hope", "Faith", "Grace", "Honor", "Rich", "Price", "Cash", "Bill", "Chase", "Sky", "Rock",
    "River", "Forest", "Ocean", "Summer", "Winter", "Autumn", "Spring", "April", "June", "August",
    "Monday", "Sunday", "Christmas", "Easter", "General", "Son", "Early", "Ok", "Oh", "Ha",
    "Pa", "Ma", "Ng", "Un", "Le", "La", "De", "Van", "Von", "Del", "Della", "Jan", "Ira", "Mark",
    "Thanks", "Hi", "Dear", "Best", "Regards", "Post", "Free", "Guy", "Dell", "Apple",
}  # fmt: skip


def read(path: Path) -> list[str]:
    """Names of one census file in rank order, title-cased."""
    names = []
    for line in path.read_text(encoding="ascii").splitlines():
        word = line.split()[0] if line.strip() else ""
        if word.isalpha():
            names.append(word.title())
    return names


def main() -> None:
    """Write the derived lists."""
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path, help="the folder holding the dist.* files")
    parser.add_argument("--last", type=int, default=25000, help="how many last names to keep, by rank")
    args = parser.parse_args()
    first = read(args.source / "dist.female.first") + read(args.source / "dist.male.first")
    last = read(args.source / "dist.all.last")[: args.last]
    data = {
        "source": "US Census 1990 name frequency lists (public domain), from the PyPI package names 0.3.0",
        "first": sorted({name for name in first if len(name) > 1 and name not in NOT_FIRST}),
        "last": sorted({name for name in last if len(name) > 1 and name not in NOT_FIRST}),
    }
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(data['first'])} first names, {len(data['last'])} last names")


if __name__ == "__main__":
    main()
