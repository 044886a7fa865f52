#!/usr/bin/env bash
# Rebuild the map label glyphs (run by hand; nothing runs this at serve or test time).
#
# MapLibre draws map text from signed-distance-field glyph files, fetched by range from the
# style's `glyphs` URL. Offline, the default URL (fonts.openmaptiles.org) is unreachable, so the
# app serves its own. Chinese characters need no file: MapLibre draws CJK ideographs with the
# browser's own sans-serif font (its `localIdeographFontFamily` default). Latin letters (English
# region names) come from the one range this script builds, 0-255.
#
# Steps: take the Simplified Chinese face of Debian's Noto Sans CJK Regular (fonts-noto-cjk),
# keep its Latin glyphs (fontTools subsetter), and render them with mapbox's fontnik (npm, the
# reference glyph builder). The folder name is the font stack the map's label layer asks for
# (analytics/render/choropleth.py, LABEL_FONT).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$work/latin.otf" <<'PY'
import sys
from fontTools import subset
from fontTools.ttLib import TTCollection

fonts = TTCollection("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").fonts
face = next(f for f in fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC")
sub = subset.Subsetter()
sub.populate(unicodes=range(0x20, 0x100))
sub.subset(face)
face.save(sys.argv[1])
PY
(cd "$work" && npm install --silent fontnik@0.7.7 >/dev/null)
out="$here/NotoSansCJKsc-Regular"
mkdir -p "$out"
(cd "$work" && node -e '
const fontnik = require("fontnik"), fs = require("fs");
fontnik.range({font: fs.readFileSync("latin.otf"), start: 0, end: 255}, (err, pbf) => {
  if (err) throw err;
  fs.writeFileSync(process.argv[1], pbf);
});' "$out/0-255.pbf")
echo "wrote $out/0-255.pbf"
