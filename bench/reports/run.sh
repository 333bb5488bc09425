#!/bin/sh
# Load benchmark of incident reporting (100,000 reports). See bench/reports/README.md.
#   bench/reports/run.sh [--duration 10s] [--db postgres] [--targets list queue] [--help]
set -eu
cd "$(dirname "$0")/../.."
UV=$(command -v uv 2>/dev/null || echo .tools/bin/uv)
[ -x "$UV" ] || command -v "$UV" >/dev/null 2>&1 || make --no-print-directory .tools/bin/uv
export UV
exec "$UV" run --frozen --quiet python bench/reports/run.py "$@"
