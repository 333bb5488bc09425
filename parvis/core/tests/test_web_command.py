"""`parvis web` starts gunicorn with one process per core and few threads each by default."""

import pytest
from django.core.management import call_command

from parvis.core.management.commands import web


@pytest.fixture
def gunicorn_argv(monkeypatch):
    """The command line `parvis web` would replace itself with."""
    started = []
    monkeypatch.setattr(web.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(web.os, "execv", lambda path, argv: started.append(argv))
    monkeypatch.delenv("PARVIS_WEB_PROCESSES", raising=False)
    monkeypatch.delenv("PARVIS_WEB_THREADS", raising=False)

    def run(*args):
        call_command("web", *args)
        return started[-1]

    return run


def test_defaults_are_a_process_per_core_and_two_threads(gunicorn_argv, monkeypatch):
    monkeypatch.setattr(web.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    argv = gunicorn_argv()
    assert "--workers=4" in argv and "--threads=2" in argv
    assert "--worker-class=gthread" in argv


def test_a_single_core_still_gets_two_processes(gunicorn_argv, monkeypatch):
    monkeypatch.setattr(web.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert "--workers=2" in gunicorn_argv()


def test_environment_and_options_override_the_defaults(gunicorn_argv, monkeypatch):
    monkeypatch.setenv("PARVIS_WEB_THREADS", "6")
    argv = gunicorn_argv("--processes=3")
    assert "--workers=3" in argv and "--threads=6" in argv
