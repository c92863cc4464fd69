"""A telephone typed on the portal is confirmed by a one-time code typed back on the protocol's
page (docs/seguranca.md, "Confirmação por código")."""

import datetime
import logging

import pytest
import time_machine
from django.urls import reverse

from protocolo import codigos, outbox, relogio
from protocolo.models import CodigoDeConfirmacao, Consumidor, Contato, Interacao, Mensagem
from protocolo.settings import _sms
from tests.codigo.conftest import TELEFONE, abrir_no_portal, codigo_de, conceder, entregar, telefone_de
from tests.consumidor.apoio import CPF
from tests.factories import ConsumidorFactory
from tests.sms import provedores

pytestmark = pytest.mark.django_db


def _confirmar(client, protocolo, codigo, contato=None):
    contato = contato or telefone_de(protocolo)
    return client.post(
        reverse("consumidor:confirmar_telefone", args=[protocolo.numero]),
        {"telefone": contato.pk, "codigo": codigo},
    )


def _outro(codigo):
    return f"{(int(codigo) + 1) % 10**6:06d}"


def test_a_telephone_typed_on_the_portal_gets_only_its_code_once_by_sms(aberto, caixa):
    (enviado,) = caixa
    assert enviado["para"] == TELEFONE
    assert aberto.numero_formatado in enviado["texto"]
    (mensagem,) = Mensagem.objects.filter(destinatario=TELEFONE)
    assert mensagem.canal == Mensagem.Canal.SMS
    assert mensagem.enviada_em is not None
    codigo = codigo_de(caixa)
    # The row the admin and the back-office read holds the mask, never the code.
    assert codigos.MASCARA in mensagem.corpo
    assert codigo not in mensagem.corpo
    (registro,) = CodigoDeConfirmacao.objects.all()
    assert codigo not in (registro.semente, registro.telefone)
    assert registro.mensagem_id == mensagem.pk
    assert telefone_de(aberto).confirmado_em is None

    entregar()
    assert len(caixa) == 1


def test_the_right_code_confirms_the_telephone_and_releases_what_was_held(client, aberto, caixa):
    contato = telefone_de(aberto)
    retida = outbox.enfileirar(
        protocolo=aberto,
        canal=Mensagem.Canal.SMS,
        destinatario=contato.valor,
        contato=contato,
        assunto="Resposta retida",
        corpo="A resposta do protocolo.",
        aguarda_confirmacao=True,
    )
    entregar()
    assert [m["texto"] for m in caixa if m["texto"] == "A resposta do protocolo."] == []

    resposta = _confirmar(client, aberto, codigo_de(caixa))

    assert resposta.status_code == 302
    contato.refresh_from_db()
    assert contato.confirmado_em is not None
    retida.refresh_from_db()
    assert retida.aguarda_confirmacao is False
    entregar()
    assert [m["para"] for m in caixa if m["texto"] == "A resposta do protocolo."] == [TELEFONE]
    entrada = aberto.interacoes.order_by("-ordem").first()
    assert (entrada.tipo, entrada.publica, entrada.texto) == (
        Interacao.Tipo.CONFIRMACAO_CONTATO,
        True,
        "Telefone confirmado pelo código enviado a ele.",
    )
    assert entrada.detalhes == {"contato": contato.pk}
    registro = CodigoDeConfirmacao.objects.get()
    assert registro.fim == CodigoDeConfirmacao.Fim.USADO
    pagina = client.get(reverse("consumidor:protocolo", args=[aberto.numero])).text
    assert "Telefone confirmado pelo código enviado a ele." in pagina
    assert "ainda não foi confirmado" not in pagina


def test_confirming_never_binds_the_telephone_to_the_cpf(client, caixa):
    """The CPF is on file, with its own bound e-mail: whoever typed it with their telephone proves
    control of the telephone, and that is all."""
    dono = ConsumidorFactory(cpf=CPF, email="dona@exemplo.com.br", telefone="")
    protocolo = abrir_no_portal(client)
    entregar()

    assert _confirmar(client, protocolo, codigo_de(caixa)).status_code == 302

    contato = telefone_de(protocolo)
    assert contato.confirmado_em is not None
    assert (contato.consumidor_id, contato.vinculado_em, contato.verificacao) == (None, None, "")
    assert not Contato.objects.filter(consumidor=dono, tipo=Contato.Tipo.TELEFONE).exists()
    assert Consumidor.objects.get(pk=dono.pk).contatos.vinculados().count() == 1
    assert not protocolo.interacoes.filter(tipo=Interacao.Tipo.VINCULACAO_CONTATO).exists()


def test_five_wrong_codes_end_the_code_and_a_new_one_is_needed(client, aberto, caixa):
    codigo = codigo_de(caixa)
    for restam in (4, 3, 2, 1):
        resposta = _confirmar(client, aberto, _outro(codigo))
        assert resposta.status_code == 200
        assert f"Restam {restam} tentativa(s)" in resposta.text
    resposta = _confirmar(client, aberto, _outro(codigo))
    assert "as tentativas acabaram" in resposta.text

    resposta = _confirmar(client, aberto, codigo)

    assert "peça um novo" in resposta.text
    assert telefone_de(aberto).confirmado_em is None
    registro = CodigoDeConfirmacao.objects.get()
    assert (registro.tentativas, registro.fim) == (5, CodigoDeConfirmacao.Fim.TENTATIVAS)


def test_an_expired_code_is_refused(client, aberto, caixa):
    codigo = codigo_de(caixa)

    with time_machine.travel(relogio.agora() + datetime.timedelta(minutes=10, seconds=1)):
        resposta = _confirmar(client, aberto, codigo)

    assert resposta.status_code == 200
    assert "Este código expirou" in resposta.text
    assert telefone_de(aberto).confirmado_em is None


def test_a_new_code_replaces_the_old_one_within_the_limit_per_hour(client, aberto, caixa):
    novo_codigo = reverse("consumidor:novo_codigo", args=[aberto.numero])
    contato = telefone_de(aberto)
    primeiro = codigo_de(caixa)

    for _ in range(2):
        assert client.post(novo_codigo, {"telefone": contato.pk}).status_code == 302
    entregar()
    recusado = client.post(novo_codigo, {"telefone": contato.pk})

    assert recusado.status_code == 200
    assert "já recebeu 3 códigos na última hora" in recusado.text
    assert len(caixa) == 3
    assert list(CodigoDeConfirmacao.objects.order_by("pk").values_list("fim", flat=True)) == [
        CodigoDeConfirmacao.Fim.SUBSTITUIDO,
        CodigoDeConfirmacao.Fim.SUBSTITUIDO,
        "",
    ]
    ultimo = codigo_de(caixa)
    if ultimo != primeiro:
        # The replaced code is only a wrong one now.
        assert "Código errado. Restam 4" in _confirmar(client, aberto, primeiro).text
    with time_machine.travel(relogio.agora() + datetime.timedelta(hours=1, seconds=1)):
        conceder(client, aberto)
        assert client.post(novo_codigo, {"telefone": contato.pk}).status_code == 302
        entregar()
        assert len(caixa) == 4
        assert _confirmar(client, aberto, codigo_de(caixa)).status_code == 302


def test_the_limit_counts_the_telephone_across_protocols(client, caixa):
    """Typing someone's telephone on many openings does not flood it with codes."""
    for _ in range(4):
        abrir_no_portal(client)
    entregar()

    assert len(caixa) == 3
    ultimo = Contato.objects.filter(tipo=Contato.Tipo.TELEFONE).order_by("-pk").first()
    assert not CodigoDeConfirmacao.objects.filter(contato=ultimo).exists()
    assert ultimo.confirmado_em is None


class _Ecoa(provedores._Base):
    """A gateway that refuses every SMS quoting its whole request back, as some do."""

    def do_POST(self):
        self._responder(400, {"code": "VALIDATION_ERROR", "message": f"recusado: {self._corpo().decode()}"})


def test_the_code_never_reaches_the_logs_nor_the_stored_error(client, caixa, caplog, settings):
    caplog.set_level(logging.DEBUG)
    with provedores.Provedor(_Ecoa) as eco:
        settings.SMS = _sms(f"http://127.0.0.1:{eco.porta}/v2/channels/sms/messages?de=empresa&timeout=1")
        protocolo = abrir_no_portal(client)
        entregar()
    registro = CodigoDeConfirmacao.objects.get()
    codigo = codigos.derivar(registro.semente)
    mensagem = Mensagem.objects.get(pk=registro.mensagem_id)
    assert mensagem.enviada_em is None
    assert "recusado" in mensagem.ultimo_erro and codigos.MASCARA in mensagem.ultimo_erro

    settings.SMS = _sms("memoria://")
    Mensagem.objects.filter(pk=mensagem.pk).update(proxima_tentativa_em=relogio.agora())
    entregar()
    assert codigo_de(caixa) == codigo
    _confirmar(client, protocolo, _outro(codigo))
    assert _confirmar(client, protocolo, codigo).status_code == 302

    assert "não entregue" in caplog.text
    assert codigo not in caplog.text
    assert codigo not in Mensagem.objects.get(pk=mensagem.pk).ultimo_erro


def test_a_wrong_protocol_cannot_confirm_another_protocols_telephone(client, aberto, caixa, visitante_de_outro):
    outro_cliente, _ = visitante_de_outro
    contato = telefone_de(aberto)

    resposta = outro_cliente.post(
        reverse("consumidor:confirmar_telefone", args=[aberto.numero]),
        {"telefone": contato.pk, "codigo": codigo_de(caixa)},
    )

    assert resposta.status_code == 404
    assert telefone_de(aberto).confirmado_em is None


@pytest.fixture
def visitante_de_outro(caixa):
    from django.test import Client

    cliente = Client()
    protocolo = abrir_no_portal(cliente, telefone="(21) 99876-5432")
    return cliente, protocolo
