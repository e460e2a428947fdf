"""One module per command; see papernotes.cli for how they are found."""
