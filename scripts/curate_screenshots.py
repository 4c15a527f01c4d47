"""Copy the tours' key screens (artifacts/screenshots/, written by the README's test command) into
docs/img/ as small palette PNGs for the README.

    .venv/bin/python scripts/curate_screenshots.py
"""

import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
SOURCE, TARGET = REPO / "artifacts" / "screenshots", REPO / "docs" / "img"


def main():
    shots = sorted(SOURCE.glob("*.png"))
    if not shots:
        sys.exit(f"no screenshot in {SOURCE}: run the tours first (README, test command)")
    TARGET.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        with Image.open(shot) as image:
            small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
            small.save(TARGET / shot.name, optimize=True)
        print(f"{shot.name}: {shot.stat().st_size // 1024} KiB -> {(TARGET / shot.name).stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
