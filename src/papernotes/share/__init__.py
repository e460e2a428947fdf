"""Sharing a knowledge base through git: note authors, the merge driver, set-up and sync."""
