"""`parvis worker`: background and periodic jobs, for production (run as many as needed).

huey's own consumer, configured by settings.HUEY (Redis in production: every worker on every
machine takes jobs from the same queue; run `--no-periodic` on all but one of them).
"""

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHueyCommand


class Command(RunHueyCommand):
    help = "Run the background job worker (huey consumer)."
