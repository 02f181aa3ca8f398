"""aiprivlint: a privacy linter for ML and AI repositories."""

__version__ = "0.1.0"
