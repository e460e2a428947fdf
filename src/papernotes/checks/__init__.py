"""Whole-knowledge-base checks: ``validate`` and ``fmt`` (from the index when it is fresh)."""
