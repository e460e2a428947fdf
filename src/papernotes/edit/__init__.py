"""Writing to the knowledge base from the command line: add notes, refresh metadata."""
