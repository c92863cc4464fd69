"""
The answer when the database is down: 503 with Retry-After, from a template alone.

A PostgreSQL restart or failover surfaces as django.db.OperationalError or InterfaceError (psycopg's
own, when raised outside Django's wrapper) wherever the first query runs: loading the session in a
middleware, django-axes, request.user in a context processor or the view itself. Django turns each
into the 500 handler, so the handler looks at the exception being handled and tells an outage apart
from a bug. The outage page is rendered without a request context: the context processors would
read request.user and the session, and so the database, again. The connection that broke is
replaced on the next request (CONN_HEALTH_CHECKS), so the portal serves again once the database
does, without a restart. Each refused request is one line of the log, without the traceback.

A session saved at the end of a request whose database went away meanwhile reaches Django as
SessionInterrupted, a 400; the 400 handler walks the exception's chain for the same outage.

Both handlers render their page themselves instead of calling Django's default views: those are
wrapped in requires_csrf_token, which reads request.POST again, and a body that could not be read
the first time (a form posted in another charset than UTF-8) raised once more inside the handler,
a bare 500 without the security headers.
"""

import logging
import sys

import psycopg
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults

ERROS_DE_CONEXAO = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
# Seconds a client (or a load balancer's health check) is asked to wait: a restart takes a few.
ESPERA = 30

logger = logging.getLogger(__name__)


def banco_indisponivel(request, erro):
    resposta = HttpResponse(loader.render_to_string("503.html"), status=503)
    resposta["Retry-After"] = str(ESPERA)
    add_never_cache_headers(resposta)
    # One line per request, not the traceback: during an outage every request fails the same way,
    # and a hundred lines each would bury whatever else the log has to say. Django's own
    # "Service Unavailable" entry with the traceback is skipped through the flag log_response reads.
    primeira_linha = str(erro).strip().splitlines()[0] if str(erro).strip() else ""
    logger.error(
        "Banco de dados indisponível: %s %s (%s: %s)", request.method, request.path, type(erro).__name__, primeira_linha
    )
    resposta._has_been_logged = True
    return resposta


def _causa(erro):
    """The exception in erro's chain that says the database is out of reach, or None."""
    vistos = set()
    while erro is not None and id(erro) not in vistos:
        if isinstance(erro, ERROS_DE_CONEXAO):
            return erro
        vistos.add(id(erro))
        erro = erro.__cause__ or erro.__context__
    return None


def erro_no_servidor(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: 503 for a database outage, the usual 500 page for anything else."""
    if (causa := _causa(sys.exc_info()[1])) is not None:
        return banco_indisponivel(request, causa)
    return HttpResponseServerError(loader.render_to_string(template_name))


def pedido_invalido(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """handler400: a session that could not be saved because the database went away is an outage."""
    if (causa := _causa(exception)) is not None:
        return banco_indisponivel(request, causa)
    return HttpResponseBadRequest(loader.render_to_string(template_name))
