#!/bin/sh
# Load benchmark of Parvis's public pages and API lists. See bench/load/README.md.
#   bench/load/run.sh [--duration 10s] [--db postgres] [--processes 2 --threads 8] [--help]
set -eu
cd "$(dirname "$0")/../.."
UV=$(command -v uv 2>/dev/null || echo .tools/bin/uv)
[ -x "$UV" ] || command -v "$UV" >/dev/null 2>&1 || make --no-print-directory .tools/bin/uv
exec "$UV" run --frozen --quiet python bench/load/run.py "$@"
