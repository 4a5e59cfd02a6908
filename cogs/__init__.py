"""Discord extensions, one per job. Thin: read the interaction, call a service, render."""
