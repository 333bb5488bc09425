#!/bin/sh
# Ingestion benchmark: MQTT -> parvis ingest -> PostgreSQL vs raw COPY. See bench/ingest/README.md.
#   bench/ingest/run.sh [--rate 10000] [--duration 30] [--consumers 2] [--help]
set -eu
cd "$(dirname "$0")/../.."
UV=$(command -v uv 2>/dev/null || echo .tools/bin/uv)
[ -x "$UV" ] || command -v "$UV" >/dev/null 2>&1 || make --no-print-directory .tools/bin/uv
exec "$UV" run --frozen --quiet python bench/ingest/run.py "$@"
