"""Models of the local fictitious register."""
