"""Every deployment value is documented in .env.example."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_every_environment_variable_is_documented():
    sources = [*ROOT.glob("config/settings/*.py"), *ROOT.glob("parvis/**/*.py")]
    code = "".join(
        path.read_text()
        for path in sources
        if "tests" not in path.parts and "testing" not in path.parts
    )
    # The OIDC providers' variables are built from a prefix, listed below in full.
    used = set(re.findall(r'"(PARVIS_[A-Z_]+)"', code)) - {
        "PARVIS_FRANCECONNECT",
        "PARVIS_PROCONNECT",
    }
    used |= {
        f"PARVIS_{provider}_{suffix}"
        for provider in ("FRANCECONNECT", "PROCONNECT")
        for suffix in ("CLIENT_ID", "CLIENT_SECRET", "SERVER_URL")
    }
    documented = set(
        re.findall(r"^#?\s*(PARVIS_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert sorted(used - documented) == []
