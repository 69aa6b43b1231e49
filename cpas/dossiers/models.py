"""Models of the dossiers domain."""
