"""Django admin registrations for every app (the admin is part of the web door).

Django's autodiscovery imports ``paperfeed.web.admin``; each module registers one app's models.
"""

from . import accounts, digests, discussions, ingest, jobs, papers  # noqa: F401
