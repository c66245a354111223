"""paperfeed: a self-hosted Daily Papers hub."""

__version__ = "0.1.0"
