"""Tables of the experts feature (filled in by its issue)."""
