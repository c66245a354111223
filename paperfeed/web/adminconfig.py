"""Django's admin app with paperfeed's own site class (``web/adminsite.py``).

Two modules apart from ``web/admin/`` because of import order: INSTALLED_APPS imports this one
while the app registry is still loading, so it names the site only as a dotted path; and the site
must not live inside the package whose import registers the models on it (the first use of
``admin.site`` would import that package halfway through creating the site, and its
registrations would land on a second, discarded instance).
"""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "paperfeed.web.adminsite.AdminSite"
