#!/usr/bin/env python
"""Same as the `parvis` command, for people who expect a manage.py."""

from parvis.__main__ import main

if __name__ == "__main__":
    main()
