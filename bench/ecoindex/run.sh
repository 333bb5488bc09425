#!/bin/sh
# Eco-design bench: EcoIndex (DOM elements, requests, transferred bytes) of every public page,
# in French and English, measured in Debian's Chromium with an empty cache against the demo data.
# Prints the table that docs/benchmarks.md records. The same measurement is the grade-A gate of
# the test suite (parvis/core/tests/test_ecoindex.py); this wrapper only shows its figures.
#   bench/ecoindex/run.sh
set -eu
cd "$(dirname "$0")/../.."
UV=$(command -v uv 2>/dev/null || echo .tools/bin/uv)
exec "$UV" run pytest -q -s -p no:cacheprovider \
  "parvis/core/tests/test_ecoindex.py::test_every_public_page_is_grade_a" 2>/dev/null | grep -E "^\\||passed|failed"
