"""Production settings plus stub static files: used by run.py for collectstatic only.

When a vendored file references a source map that is not shipped, the production
collectstatic fails; run.py then stubs the missing files in PARVIS_BENCH_STATIC_STUBS and
collects with these settings (see run.py `collectstatic`). The server itself always runs with
config.settings.prod.
"""

import os

from config.settings.prod import *  # noqa: F403
from config.settings.prod import STATICFILES_DIRS

STATICFILES_DIRS = [*STATICFILES_DIRS, os.environ["PARVIS_BENCH_STATIC_STUBS"]]
