"""Tabletop exercises, the pure part: scenario files and the exercise clock (no discord, no database)."""
