"""The one exception build.py and its deploy/ steps raise: main() prints it and exits 1."""


class BuildError(Exception):
    """A build step failed; the message says what, where from, and what to do."""
