"""
The ceiling of the lookup benchmark (docs/dominio.md §8): a minimal Django app that does the same request
shape as the portal's status lookup (POST with CSRF, redirect, page) with one indexed lookup and a
bare template, under the portal's own settings: the same middleware, session engine, cache,
security headers and gunicorn configuration. Only the URLs, the database and one app differ.
"""

import environ

from protocolo.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "teto"]  # noqa: F405
ROOT_URLCONF = "teto.urls"
WSGI_APPLICATION = "teto.wsgi.application"
DATABASES = {"default": environ.Env().db("TETO_DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE = environ.Env().int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
