"""Reading and writing the knowledge base: YAML files are the truth."""
