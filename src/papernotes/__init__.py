"""papernotes: a command-line knowledge base of annotated research papers."""

__version__ = "0.1.0"
