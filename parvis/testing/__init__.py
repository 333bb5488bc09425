"""Test helpers shared by every app's tests: factories, services, browser. Not a layer."""
