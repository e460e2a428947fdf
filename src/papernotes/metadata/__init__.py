"""Where paper metadata comes from: the offline ICLR 2020 catalog, OpenReview, arXiv."""
