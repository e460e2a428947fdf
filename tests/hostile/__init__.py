"""Hostile input and faults: nothing crashes, nothing is lost (issue 8)."""
