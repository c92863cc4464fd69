"""What the API tests share: a system with the scopes a test names, a token of it, and a client
that sends the token and JSON."""

import itertools
import json

from django.test import Client
from django.test.client import MULTIPART_CONTENT

from protocolo import services
from protocolo.models import EscopoSistema
from tests.factories import SupervisorFactory

TODOS = list(EscopoSistema.values)
_nomes = itertools.count(1)


def sistema(escopos=TODOS, **kwargs):
    return services.sistema_criar(
        nome=kwargs.pop("nome", f"Sistema {next(_nomes)}"),
        escopos=escopos,
        responsavel=kwargs.pop("responsavel", None) or SupervisorFactory(),
        **kwargs,
    )


def token(sistema_):
    _, valor = services.credencial_criar(sistema=sistema_, autor=sistema_.responsavel)
    return valor


class ClienteApi(Client):
    """Django's test client speaking JSON with a system's token."""

    def __init__(self, token_=None, **kwargs):
        super().__init__(raise_request_exception=False, **kwargs)
        self.token = token_

    def _cabecalhos(self, headers):
        cabecalhos = dict(headers or {})
        if self.token:
            cabecalhos.setdefault("Authorization", f"Bearer {self.token}")
        return cabecalhos

    def get(self, path, data=None, headers=None, **extra):
        return super().get(path, data, headers=self._cabecalhos(headers), **extra)

    def post(self, path, data=None, headers=None, content_type="application/json", **extra):
        if content_type == MULTIPART_CONTENT:
            # Files (the attachments' route): the test client encodes the form and its files.
            return super().post(path, data, headers=self._cabecalhos(headers), **extra)
        corpo = json.dumps(data) if data is not None and not isinstance(data, str | bytes) else (data or "")
        return super().post(path, corpo, content_type=content_type, headers=self._cabecalhos(headers), **extra)


def cliente(escopos=TODOS, **kwargs):
    sistema_ = sistema(escopos, **kwargs)
    api = ClienteApi(token(sistema_))
    api.sistema = sistema_
    return api
