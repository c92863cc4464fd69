import io
import re

import pytest
from django.core.management import call_command

from consumidor import acesso
from protocolo import sms
from protocolo.models import Contato, Protocolo
from protocolo.settings import _sms
from tests.consumidor.apoio import CPF
from tests.factories import categoria

TELEFONE = "+5511987654321"


@pytest.fixture(autouse=True)
def _limites(limites_zerados):
    """Every test starts with fresh rate-limit counters."""


@pytest.fixture
def caixa(settings):
    """SMS go to the memoria backend, as SMS_URL=memoria:// does (tests/sms/conftest.py)."""
    settings.SMS = _sms("memoria://")
    sms.caixa.clear()
    yield sms.caixa
    sms.caixa.clear()


def entregar():
    call_command("enviar_mensagens", stdout=io.StringIO())


def codigo_de(caixa, para=TELEFONE):
    """The code in the last SMS to `para`."""
    (texto,) = [m["texto"] for m in caixa if m["para"] == para][-1:]
    return re.search(r"(?<!\d)(\d{6})(?!\d)", texto).group(1)


def abrir_no_portal(client, *, telefone="(11) 98765-4321", cpf=CPF, **extra):
    dados = {
        "cpf": cpf,
        "nome": "Quem digitou",
        "email": "quem@exemplo.com.br",
        "telefone": telefone,
        "categoria": categoria("cobranca").pk,
        "objeto": "Quero acompanhar pelo celular.",
        **extra,
    }
    resposta = client.post("/abrir/", dados, REMOTE_ADDR="198.51.100.7")
    assert resposta.status_code == 302, resposta.content.decode()
    return Protocolo.objects.order_by("-pk").first()


def telefone_de(protocolo):
    return Contato.objects.get(protocolo=protocolo, tipo=Contato.Tipo.TELEFONE)


@pytest.fixture
def aberto(client, caixa, db):
    """A protocol opened on the portal with a telephone, its code delivered; `client` holds access."""
    protocolo = abrir_no_portal(client)
    entregar()
    return protocolo


def conceder(cliente, protocolo):
    sessao = cliente.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    return cliente
