"""Models of the redi domain."""
