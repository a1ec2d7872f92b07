#!/usr/bin/env bash
# Long real documents for `roundtable eval snapshots` (never committed to the repository):
# Debian's packaged copies of the Filesystem Hierarchy Standard 3.0 (plain text), the
# machine-readable copyright format 1.0 (HTML), and the R survival package's vignettes (PDF).
#   bench/get_long_docs.sh OUT_DIR   -> OUT_DIR/dev/*, OUT_DIR/test/*
# dev/: fhs-3.0.txt, copyright-format-1.0.html, timedep.pdf (questions: tests/data/snapshots_queries/long_dev.json)
# test/: survival.txt (the 98-page survival vignette as plain text, as pypdf reads it) and
#        compete.pdf (questions: long_test.json; held out, never tuned on).
set -euo pipefail
out=${1:?usage: bench/get_long_docs.sh OUT_DIR}
py=${PYTHON:-python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q debian-policy=4.6.2.0 r-cran-survival=3.5-3-1 >/dev/null)
for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/x"; done
mkdir -p "$out/dev" "$out/test"
doc="$work/x/usr/share/doc/debian-policy"
surv="$work/x/usr/lib/R/library/survival/doc"
zcat "$doc/fhs/fhs-3.0.txt.gz" >"$out/dev/fhs-3.0.txt"
cp "$doc/copyright-format-1.0.html" "$out/dev/copyright-format-1.0.html"
cp "$surv/timedep.pdf" "$out/dev/timedep.pdf"
cp "$surv/compete.pdf" "$out/test/compete.pdf"
"$py" - "$surv/survival.pdf" "$out/test/survival.txt" <<'PY'
import sys
from pypdf import PdfReader
pages = [page.extract_text() or "" for page in PdfReader(sys.argv[1]).pages]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("\n\n".join(pages))
PY
ls -l "$out/dev" "$out/test"
