"""Secret detection for AIP105: detect-secrets (pinned 1.5.0) as the judge, fed by a fast prefilter.

- ``patterns``: token shapes of ML provider credentials (no heavy imports).
- ``prefilter``: the one regex that marks candidate lines (no heavy imports).
- ``plugins``: detect-secrets plugins built from the shapes (imports detect-secrets).
- ``filters``: detect-secrets filters for placeholders and ML-code idioms.
- ``scanner``: runs detect-secrets' passes on the candidate lines only.
"""
