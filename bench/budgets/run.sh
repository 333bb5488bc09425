#!/bin/sh
# Benchmark of the participatory-budget tally against pabutools. See bench/budgets/README.md.
#   bench/budgets/run.sh [--voters 90000] [--projects 160] [--skip-pabutools-add1] [--help]
set -eu
cd "$(dirname "$0")/../.."
UV=$(command -v uv 2>/dev/null || echo .tools/bin/uv)
[ -x "$UV" ] || command -v "$UV" >/dev/null 2>&1 || make --no-print-directory .tools/bin/uv
exec "$UV" run --frozen python bench/budgets/run.py "$@"
