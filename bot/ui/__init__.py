"""Shared Discord pieces: replies, embeds, paginator, confirmation, checks, the error mapping."""
