"""Amazon reviews (one JSON object per line) to the generic import files.

    python bench/prepare_amazon.py ../shared/datasets/amazon-musical-instruments-5core/\\
        Musical_Instruments_5.json.gz OUT_DIR

writes OUT_DIR/items.jsonl and OUT_DIR/interactions.csv, the formats
``import_catalog``, ``import_interactions`` and ``manage.py evaluate`` read.
The review set has no product metadata, so each item is described from its
reviews:

- category: the product type its reviews name most (a fixed list of types
  below, each with the words that name it), or "Other gear" when no type is
  named in at least a fifth of its reviews. A rule of thumb, not a label
  from Amazon: steering on this data is measured against it.
- tags: the words that set its reviews apart from all other items' (TF-IDF).
- title: its top tags and category with the product code, e.g.
  "Elixir, nanoweb strings (B0002E1G5C)".
- description: the start of its earliest reviews (the encoder reads at most
  256 word pieces anyway). Later reviews are left out so that the item text
  leans on what was written before most people's test period.

Each review becomes a rating (1-5) at its review time. Nothing is written to
the project: the files go where OUT_DIR says, and stay out of git.
"""

import argparse
import csv
import gzip
import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

# Product types and the words (whole words or phrases) that name them.
TYPES = {
    "Guitar strings": ["strings", "string set", "nanoweb", "elixir"],
    "Picks": ["pick", "picks", "plectrum"],
    "Cables": ["cable", "cables", "cord", "patch cable"],
    "Effects pedals": ["pedal", "pedals", "distortion", "overdrive", "delay", "reverb", "chorus"],
    "Tuners": ["tuner", "tuners", "tuning"],
    "Capos": ["capo", "capos"],
    "Straps": ["strap", "straps", "strap locks"],
    "Microphones": ["mic", "microphone", "mics", "condenser"],
    "Pop filters": ["pop filter", "pop filters", "windscreen"],
    "Stands": ["stand", "stands", "hanger", "wall hanger"],
    "Amplifiers": ["amp", "amplifier", "amps"],
    "Power supplies": ["power supply", "adapter", "daisy chain"],
    "Cases and bags": ["case", "gig bag", "bag"],
    "Cleaning and care": ["polish", "cleaner", "cloth", "lemon oil", "fretboard"],
    "Drums and percussion": ["drum", "drums", "cymbal", "sticks", "percussion"],
    "Keyboards": ["keyboard", "piano", "sustain pedal"],
    "Headphones": ["headphones", "headphone"],
}
OTHER = "Other gear"
TYPE_SHARE = 0.2  # of an item's reviews that must name its type
TAGS = 6
DESCRIPTION_REVIEWS = 3
DESCRIPTION_CHARACTERS = 1200
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOPWORD_TEXT = """the and for that this with you are was have but not they very one can
    all its it's just use used using get got will would had has them what out
    when there their than then also more some any your about which were been
    only other really well great good like love much too after before because
    these those into over from did does doesn't don't i've i'm it's buy bought
    product price works work nice quality little make makes made time well
    well-made easy need first even still just could should ever never back
    amazon item items since while what's going thing things lot pretty far
    sure best better way see say said now new old two three year years"""
STOPWORDS = set(_STOPWORD_TEXT.split())


def product_type(texts: list[str]) -> str:
    counts: Counter[str] = Counter()
    for text in texts:
        lowered = f" {text.lower()} "
        for name, words in TYPES.items():
            if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words):
                counts[name] += 1
    if counts:
        name, count = max(counts.items(), key=lambda pair: (pair[1], pair[0]))
        if count >= TYPE_SHARE * len(texts):
            return name
    return OTHER


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reviews", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()

    reviews = []
    with gzip.open(args.reviews, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                reviews.append(json.loads(line))
    by_item: dict[str, list[dict]] = defaultdict(list)
    for review in reviews:
        by_item[review["asin"]].append(review)

    words_by_item = {
        asin: Counter(
            w
            for r in entries
            for w in _WORD.findall(f"{r.get('summary', '')} {r.get('reviewText', '')}".lower())
            if w not in STOPWORDS
        )
        for asin, entries in by_item.items()
    }
    document_frequency: Counter[str] = Counter()
    for counts in words_by_item.values():
        document_frequency.update(counts.keys())

    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "items.jsonl").open("w", encoding="utf-8") as items:
        for asin in sorted(by_item):
            entries = sorted(by_item[asin], key=lambda r: (r["unixReviewTime"], r["reviewerID"]))
            texts = [f"{r.get('summary', '')}. {r.get('reviewText', '')}" for r in entries]
            category = product_type(texts)
            counts = words_by_item[asin]
            scored = sorted(
                (
                    (count * math.log(len(by_item) / document_frequency[word]), word)
                    for word, count in counts.items()
                    if count >= 2
                ),
                reverse=True,
            )
            tags = [word for _, word in scored[:TAGS]]
            description = " ".join(texts[:DESCRIPTION_REVIEWS])[:DESCRIPTION_CHARACTERS]
            title = f"{', '.join(tags[:2]).capitalize() or category} ({asin})"
            record = {
                "external_id": asin,
                "title": title,
                "categories": [category],
                "tags": tags,
                "description": description,
            }
            items.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (args.out / "interactions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user", "item", "kind", "value", "timestamp"])
        for review in sorted(reviews, key=lambda r: (r["unixReviewTime"], r["reviewerID"])):
            writer.writerow(
                [
                    review["reviewerID"],
                    review["asin"],
                    "rating",
                    f"{float(review['overall']):g}",
                    review["unixReviewTime"],
                ]
            )
    print(f"{len(by_item)} items, {len(reviews)} ratings written to {args.out}")


if __name__ == "__main__":
    main()
