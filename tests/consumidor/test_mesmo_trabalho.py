"""The public forms that take a CPF do the same work whether or not it is on file (docs/seguranca.md,
"Contatos"): the same SQL statements, the same templates rendered, the same answer and the same
timeline — captured, not timed (timing is noise on a shared 2-core machine). What depends on the
CPF existing runs after the answer (the recovery's messages, in `enviar_mensagens`)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from protocolo import services
from protocolo.models import Mensagem, PedidoDeRecuperacao, Protocolo
from protocolo.operacao import limites
from tests.factories import ConsumidorFactory, abrir, categoria

pytestmark = pytest.mark.django_db

DESCONHECIDO = "11144477735"
SEM_CONTATO = "39053344705"
COM_EMAIL = "52998224725"


@pytest.fixture
def cadastro():
    ConsumidorFactory(cpf=SEM_CONTATO, email="", telefone="")
    com_email = ConsumidorFactory(cpf=COM_EMAIL, email="maria@exemplo.com.br")
    abrir(consumidor=com_email)
    abrir(consumidor=com_email, categoria_codigo="lgpd")


def _sql(consultas):
    return [re.sub(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"", "?", q["sql"]) for q in consultas]


def _trabalho(requisicao):
    """(status, normalised Location, SQL, templates) of one request from a fresh browser with fresh
    rate-limit counters."""
    cache.clear()
    limites._reserva.clear()
    modelos = []

    def anotar(sender, template, **kwargs):
        modelos.append(template.name)

    template_rendered.connect(anotar)
    try:
        with CaptureQueriesContext(connection) as consultas:
            resposta = requisicao(Client())
    finally:
        template_rendered.disconnect(anotar)
    local = re.sub(r"\d", "0", resposta.get("Location", ""))
    return resposta.status_code, local, _sql(consultas), modelos


def _linha(protocolo):
    return [(i.tipo, i.origem, i.publica, i.texto, sorted(i.detalhes)) for i in protocolo.interacoes.order_by("ordem")]


@pytest.mark.parametrize("rota", ["/abrir/", "/privacidade/"])
def test_opening_on_the_portal_is_the_same_work_whatever_the_cpf(cadastro, rota):
    def enviar(cpf):
        dados = {"cpf": cpf, "nome": "Quem digitou", "email": "digitado@exemplo.com", "chave": ""}
        if rota == "/abrir/":
            dados |= {"categoria": categoria("cobranca").pk, "objeto": "Cobrança em dobro."}
        else:
            dados |= {"pedido": "exclusao", "detalhes": "Apaguem."}
        return lambda navegador: navegador.post(rota, dados)

    trabalhos, linhas, mensagens = {}, {}, {}
    for cpf in (DESCONHECIDO, SEM_CONTATO, COM_EMAIL):
        antes = Mensagem.objects.count()
        trabalhos[cpf] = _trabalho(enviar(cpf))
        protocolo = Protocolo.objects.order_by("-pk").first()
        assert protocolo.consumidor.cpf == cpf
        linhas[cpf] = _linha(protocolo)
        mensagens[cpf] = [
            (m.destinatario, m.assunto.replace(protocolo.numero_formatado, "N"), m.aguarda_confirmacao)
            for m in Mensagem.objects.order_by("pk")[antes:]
        ]

    referencia = trabalhos[DESCONHECIDO]
    assert referencia[0] == 302
    assert any("protocolo_protocolo" in sql for sql in referencia[2])
    for cpf in (SEM_CONTATO, COM_EMAIL):
        assert trabalhos[cpf] == referencia, cpf
        assert linhas[cpf] == linhas[DESCONHECIDO], cpf
        assert mensagens[cpf] == mensagens[DESCONHECIDO], cpf
    assert [m[0] for m in mensagens[COM_EMAIL]] == ["digitado@exemplo.com"] * 2


def test_the_receipt_after_an_opening_is_the_same_shape_whatever_the_cpf(cadastro):
    textos = {}
    for cpf in (DESCONHECIDO, COM_EMAIL):
        navegador = Client()
        dados = {
            "cpf": cpf,
            "nome": "Quem digitou",
            "email": "digitado@exemplo.com",
            "categoria": categoria("cobranca").pk,
            "objeto": "Cobrança em dobro.",
        }
        cache.clear()
        resposta = navegador.post("/abrir/", dados, follow=True)
        texto = re.sub(r"\d", "0", resposta.text)
        texto = re.sub(r'(nonce|value)="[^"]*"', "", texto)
        texto = re.sub(r"<svg.*?</svg>", "", texto, flags=re.S)
        textos[cpf] = re.sub(r"[0-9A-Za-z]+(-[0-9A-Za-z]+){2,}", "CODIGO", texto)
    assert textos[DESCONHECIDO] == textos[COM_EMAIL]


def test_recovery_is_the_same_work_whatever_the_cpf(cadastro):
    def pedir(cpf):
        return lambda navegador: navegador.post("/recuperar/", {"cpf": cpf})

    trabalhos = {cpf: _trabalho(pedir(cpf)) for cpf in (DESCONHECIDO, SEM_CONTATO, COM_EMAIL)}

    referencia = trabalhos[DESCONHECIDO]
    assert referencia[0] == 302
    assert any("pedidoderecuperacao" in sql for sql in referencia[2])
    assert not any("protocolo_consumidor" in sql or "protocolo_mensagem" in sql for sql in referencia[2])
    for cpf, trabalho in trabalhos.items():
        assert trabalho == referencia, cpf
    assert not Mensagem.objects.filter(protocolo=None).exists()


def test_the_spy_sees_the_difference_of_work_that_depends_on_the_cpf(cadastro):
    """The comparison above can fail: the deliverer's lookup differs by CPF."""

    def processar(cpf):
        def requisicao(navegador):
            services.consumidor_pedir_protocolos(cpf=cpf)
            services.processar_pedidos_de_recuperacao()
            return navegador.get("/recuperar/")

        return requisicao

    assert _trabalho(processar(DESCONHECIDO))[2] != _trabalho(processar(COM_EMAIL))[2]


def test_the_recovery_request_keeps_the_cpf_only_until_processed(cadastro):
    Client().post("/recuperar/", {"cpf": COM_EMAIL})
    pedido = PedidoDeRecuperacao.objects.get()
    assert pedido.cpf == COM_EMAIL

    services.processar_pedidos_de_recuperacao()

    pedido.refresh_from_db()
    assert pedido.cpf == "" and pedido.processado_em is not None
    assert Mensagem.objects.filter(destinatario="maria@exemplo.com.br", protocolo=None).count() == 1
