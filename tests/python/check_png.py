# SPDX-License-Identifier: MIT
"""check_png.py FILE PANELS [FILE PANELS ...]: each FILE is a PNG of the plot size (800 x 350 pixels per panel) on a
white background, with axes drawn (in every panel, a dark vertical line, the left spine, and a
dark horizontal line, the bottom spine, each longer than half the panel) and coloured data."""
import sys

import matplotlib.image as mpimg
import numpy as np


def longest_run(mask):
    """The longest run of True along axis 0, for every column."""
    best = np.zeros(mask.shape[1], dtype=int)
    cur = np.zeros(mask.shape[1], dtype=int)
    for row in mask:
        cur = np.where(row, cur + 1, 0)
        best = np.maximum(best, cur)
    return best


def main(path, panels):
    with open(path, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            return "not a PNG file"
    img = mpimg.imread(path)
    h, w = img.shape[:2]
    if (w, h) != (800, 350 * panels):
        return "size %dx%d, expected %dx%d" % (w, h, 800, 350 * panels)
    rgb = img[..., :3]
    gray = rgb.mean(axis=2)
    if (gray > 0.95).mean() < 0.4:
        return "the background is not mostly white"
    dark = gray < 0.3
    for p in range(panels):
        band = dark[p * 350:(p + 1) * 350]
        if longest_run(band).max() < 175:
            return "panel %d: no vertical axis line (longest dark column %d px)" % (
                p, longest_run(band).max())
        if longest_run(band.T).max() < 400:
            return "panel %d: no horizontal axis line (longest dark row %d px)" % (
                p, longest_run(band.T).max())
    colored = (rgb.max(axis=2) - rgb.min(axis=2)) > 0.3
    if colored.sum() < 100:
        return "no coloured data drawn (%d coloured pixels)" % colored.sum()
    return None


if __name__ == "__main__":
    failed = 0
    for path, panels in zip(sys.argv[1::2], sys.argv[2::2]):
        err = main(path, int(panels))
        print("%s: %s" % (path, "FAIL: " + err if err else "PASS"))
        failed += err is not None
    sys.exit(1 if failed else 0)
