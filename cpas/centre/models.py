"""Models of the centre domain."""
