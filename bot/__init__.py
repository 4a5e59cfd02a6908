"""Liaison: a bilingual Discord bot for the radiological and nuclear security community."""

__version__ = "0.1.0"
