#!/bin/sh
# Query benchmark: latest values and series at 50M observations. See bench/queries/README.md.
#   bench/queries/run.sh [--observations 50000000] [--reuse] [--explain] [--help]
set -eu
cd "$(dirname "$0")/../.."
UV=$(command -v uv 2>/dev/null || echo .tools/bin/uv)
[ -x "$UV" ] || command -v "$UV" >/dev/null 2>&1 || make --no-print-directory .tools/bin/uv
exec "$UV" run --frozen --quiet python bench/queries/run.py "$@"
