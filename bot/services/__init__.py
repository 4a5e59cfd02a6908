"""Services: one module per job. Plain values in, plain values or domain errors out. No discord."""
