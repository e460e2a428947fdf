"""Read-side queries over the knowledge base (no click, no rich)."""
