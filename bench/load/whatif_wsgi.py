"""WSGI entry point of `run.py --what-if`: the application of config.wsgi plus whatif patches.

gunicorn loads it as `whatif_wsgi:application` with `--pythonpath bench/load`; the patches to
apply are named in PARVIS_BENCH_WHAT_IF (comma-separated). Benchmark use only.
"""

import os

import whatif

from config.wsgi import application  # noqa: F401 - sets Django up; re-exported for gunicorn

whatif.apply(os.environ.get("PARVIS_BENCH_WHAT_IF", ""))
