"""paperfeed: a self-hosted Daily Papers hub.

The version has one source, ``[project] version`` in pyproject.toml, read here from the
installed distribution's metadata.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("paperfeed")
except PackageNotFoundError:  # a source tree put on sys.path without being installed
    __version__ = "0+unknown"
