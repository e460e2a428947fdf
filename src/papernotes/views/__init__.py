"""Read-side reports over the knowledge base: listing, topics, stats (no click, no rich)."""
