from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: top layer, it may seed every app."""

    name = "parvis.demo"
    label = "demo"
    verbose_name = "Demo"
