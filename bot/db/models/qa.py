"""Tables of the qa feature (filled in by its issue)."""
