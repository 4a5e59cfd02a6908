"""Tables of the resources feature (filled in by its issue)."""
