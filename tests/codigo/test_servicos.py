"""The code's services apart from the pages: the channel a code goes by, and what anonymisation
leaves of the codes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocolo import canais, lgpd, relogio, services
from protocolo.models import CanalPreferido, CodigoDeConfirmacao, Contato, EscolhaDeCanal, Interacao, Mensagem
from protocolo.services.codigos import canal_do_codigo
from tests.codigo.conftest import TELEFONE
from tests.consumidor.apoio import CPF
from tests.factories import categoria
from tests.segundo_fator import Cliente

pytestmark = pytest.mark.django_db


def _abrir(telefone="(11) 98765-4321", **extra):
    return services.protocolo_abrir_pelo_portal(
        cpf=CPF,
        nome="Joana",
        email="joana@exemplo.com.br",
        telefone=telefone,
        categoria=categoria("cobranca"),
        objeto="Quero acompanhar.",
        **extra,
    )


def test_the_code_goes_by_sms_unless_whatsapp_is_configured_preferred_and_accepted(caixa, settings):
    protocolo = _abrir()
    assert canal_do_codigo(protocolo, TELEFONE) == Mensagem.Canal.SMS

    settings.WHATSAPP = {"backend": "meta"}
    assert canal_do_codigo(protocolo, TELEFONE) == Mensagem.Canal.SMS
    protocolo.canal_preferido = CanalPreferido.WHATSAPP
    assert canal_do_codigo(protocolo, TELEFONE) == Mensagem.Canal.WHATSAPP
    canais.registrar(telefone=TELEFONE, canal="whatsapp", aceita=False, origem=EscolhaDeCanal.Origem.PORTAL)
    assert canal_do_codigo(protocolo, TELEFONE) == Mensagem.Canal.SMS
    canais.registrar(telefone=TELEFONE, canal="sms", aceita=False, origem=EscolhaDeCanal.Origem.PALAVRA_CHAVE)
    assert canal_do_codigo(protocolo, TELEFONE) is None


def test_a_telephone_that_stopped_sms_gets_no_code_and_the_opening_goes_ahead(caixa):
    canais.registrar(telefone=TELEFONE, canal="sms", aceita=False, origem=EscolhaDeCanal.Origem.PALAVRA_CHAVE)

    protocolo = _abrir()

    contato = Contato.objects.get(protocolo=protocolo, tipo=Contato.Tipo.TELEFONE)
    assert contato.confirmado_em is None
    assert not CodigoDeConfirmacao.objects.exists()
    assert not Mensagem.objects.filter(destinatario=TELEFONE).exists()


def test_anonymisation_deletes_the_codes_with_the_outbox(caixa, atendente):
    with relogio.em(relogio.agora() - datetime.timedelta(days=6 * 365)):
        protocolo = _abrir()
        services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.", autor=atendente)
        services.protocolo_encerrar(protocolo=protocolo, origem=Interacao.Origem.CONSUMIDOR, avaliacao=5)
    assert CodigoDeConfirmacao.objects.exists()

    lgpd.anonimizar(protocolo.consumidor)

    assert not CodigoDeConfirmacao.objects.exists()
    assert not Mensagem.objects.filter(destinatario=TELEFONE).exists()
    assert set(Contato.objects.filter(protocolo=protocolo).values_list("valor", flat=True)) == {""}


def _consultas_da_retaguarda(cliente, protocolo):
    with CaptureQueriesContext(connection) as consultas:
        assert cliente.get(reverse("atendimento:protocolo", args=[protocolo.numero])).status_code == 200
    return len(consultas)


def _telefone_confirmado(protocolo, valor):
    contato = services.contato_do_protocolo(
        protocolo=protocolo, tipo="telefone", valor=valor, origem="atendimento", confirmado=True
    )
    canais.registrar(telefone=contato.valor, canal="sms", aceita=False, origem=EscolhaDeCanal.Origem.PORTAL)


def test_the_back_office_page_reads_the_channels_in_one_query_however_many_telephones(caixa, atendente):
    cliente = Cliente()
    cliente.force_login(atendente)
    protocolo = _abrir()
    _telefone_confirmado(protocolo, "(11) 3123-4567")
    um = _consultas_da_retaguarda(cliente, protocolo)
    for telefone in ("(21) 99876-5432", "(31) 99876-5432"):
        _telefone_confirmado(protocolo, telefone)

    assert _consultas_da_retaguarda(cliente, protocolo) == um
    pagina = cliente.get(reverse("atendimento:protocolo", args=[protocolo.numero])).text
    assert pagina.count('data-canal="sms" data-aceita="nao"') == 3
