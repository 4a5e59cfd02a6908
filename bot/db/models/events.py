"""Tables of the events feature (filled in by its issue)."""
