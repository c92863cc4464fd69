"""Inbound WhatsApp messages from Meta's Cloud API, over HTTP to a live server, signed as Meta signs."""

import datetime
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from protocolo import canais, numeracao, services
from protocolo.models import (
    Canal,
    Contato,
    EscolhaDeCanal,
    Interacao,
    Mensagem,
    MensagemRecebida,
    Protocolo,
)
from tests.entrada.provedores import (
    SEGREDO_META,
    TOKEN_VERIFICACAO,
    Provedor,
    assinatura_sha256,
    estado_meta,
    notificacao_meta,
    texto_meta,
)
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db(transaction=True)

TELEFONE = "+5511987654321"
OUTRO = "+5521998765432"
Resultado = MensagemRecebida.Resultado


def _mensagens_do_consumidor(protocolo):
    return list(
        Interacao.objects.filter(protocolo=protocolo, tipo=Interacao.Tipo.MENSAGEM_CONSUMIDOR).values_list(
            "texto", flat=True
        )
    )


def _respostas(telefone=TELEFONE, canal=Mensagem.Canal.WHATSAPP):
    return list(Mensagem.objects.filter(destinatario=telefone, canal=canal).order_by("pk"))


def test_the_subscription_is_verified_only_with_our_token(provedor):
    certo = provedor.verificar(
        {"hub.mode": "subscribe", "hub.verify_token": TOKEN_VERIFICACAO, "hub.challenge": "1158201444"}
    )
    assert (certo.status_code, certo.text) == (200, "1158201444")

    for errado in (
        {"hub.mode": "subscribe", "hub.verify_token": "outro", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": TOKEN_VERIFICACAO, "hub.challenge": "1"},
        {},
    ):
        assert provedor.verificar(errado).status_code == 403


def test_a_forged_signature_is_refused_and_nothing_is_recorded(provedor):
    corpo = notificacao_meta(mensagens=[texto_meta(TELEFONE, "Quero cancelar a assinatura.")])
    bruto = json.dumps(corpo).encode()
    adulterado = bruto.replace(b"cancelar", b"renovar!")

    respostas = [
        provedor.meta(corpo, segredo="outro-segredo"),
        provedor.meta(corpo, assinatura=""),
        provedor.meta(corpo, assinatura="sha256=" + "0" * 64),
        provedor.meta(corpo, assinatura=assinatura_sha256(SEGREDO_META, bruto).removeprefix("sha256=")),
        # Signed, then changed on the way.
        provedor.meta(adulterado, assinatura=assinatura_sha256(SEGREDO_META, bruto)),
    ]

    assert [r.status_code for r in respostas] == [403] * 5
    assert MensagemRecebida.objects.count() == 0
    assert Protocolo.objects.count() == 0
    assert Mensagem.objects.count() == 0


def test_a_new_conversation_opens_a_protocol_on_whatsapp_and_queues_the_number(provedor):
    resposta = provedor.whatsapp(TELEFONE, "Fui cobrado duas vezes na fatura de novembro.")

    assert resposta.status_code == 200
    recebida = MensagemRecebida.objects.get()
    assert (recebida.canal, recebida.provedor, recebida.telefone, recebida.resultado) == (
        "whatsapp",
        "meta",
        TELEFONE,
        Resultado.ABERTURA,
    )
    protocolo = recebida.protocolo
    assert protocolo.canal == Canal.WHATSAPP
    assert protocolo.objeto == "Fui cobrado duas vezes na fatura de novembro."
    assert protocolo.canal_preferido == "whatsapp"
    contato = Contato.objects.get(protocolo=protocolo)
    assert (contato.tipo, contato.valor, contato.origem, contato.consumidor) == ("telefone", TELEFONE, "whatsapp", None)
    assert contato.confirmado
    [numero] = _respostas()
    assert (numero.protocolo, numero.contato, numero.modelo) == (protocolo, contato, "protocolo_numero")
    assert numero.parametros == [protocolo.numero_formatado]
    assert protocolo.numero_formatado in numero.corpo
    envio = protocolo.interacoes.get(tipo=Interacao.Tipo.ENVIO_NUMERO)
    assert envio.detalhes["mensagens"] == [numero.message_id]
    abertura = protocolo.interacoes.get(tipo=Interacao.Tipo.ABERTURA)
    assert (abertura.origem, abertura.publica) == ("consumidor", True)


def test_a_replayed_message_makes_one_interaction(provedor):
    protocolo = abrir(consumidor=ConsumidorFactory(telefone=TELEFONE))
    corpo = notificacao_meta(
        mensagens=[texto_meta(TELEFONE, f"Sobre o {protocolo.numero_formatado}: alguma novidade?", id="wamid.repetido")]
    )

    for _ in range(3):
        assert provedor.meta(corpo).status_code == 200

    assert MensagemRecebida.objects.get().resultado == Resultado.ANEXADA
    assert len(_mensagens_do_consumidor(protocolo)) == 1
    assert len(_respostas()) == 1


@pytest.mark.parametrize("como", [str, numeracao.formatar, lambda n: ".".join(numeracao.formatar(n).split())])
def test_a_reachable_protocols_number_adds_the_text_to_its_timeline(provedor, como):
    protocolo = abrir(consumidor=ConsumidorFactory(telefone="(11) 98765-4321"))
    texto = f"Protocolo {como(protocolo.numero)} — o técnico não veio. Meu fone: 11 98765-4321"

    assert provedor.whatsapp(TELEFONE, texto).status_code == 200

    recebida = MensagemRecebida.objects.get()
    assert (recebida.resultado, recebida.protocolo) == (Resultado.ANEXADA, protocolo)
    assert _mensagens_do_consumidor(protocolo) == [texto]
    [aviso] = _respostas()
    assert aviso.protocolo == protocolo
    assert protocolo.numero_formatado in aviso.corpo


def test_a_protocol_the_telephone_may_not_reach_is_answered_as_a_number_that_does_not_exist(provedor):
    alheio = abrir(consumidor=ConsumidorFactory(telefone=OUTRO))
    inexistente = numeracao.formato_atual().montar(datetime.date(2026, 1, 5), 999_999)

    provedor.whatsapp(TELEFONE, f"Quero ver o protocolo {alheio.numero}")
    provedor.whatsapp(TELEFONE, f"Quero ver o protocolo {inexistente}")

    recebidas = list(MensagemRecebida.objects.order_by("pk"))
    assert [(r.resultado, r.protocolo) for r in recebidas] == [(Resultado.RECUSADA, None), (Resultado.RECUSADA, None)]
    assert _mensagens_do_consumidor(alheio) == []
    primeira, segunda = _respostas()
    assert primeira.corpo == segunda.corpo
    assert (primeira.protocolo, segunda.protocolo) == (None, None)
    assert alheio.numero_formatado not in primeira.corpo
    assert not Protocolo.objects.exclude(pk=alheio.pk).exists()


def test_the_next_message_without_a_number_continues_the_conversation(provedor):
    provedor.whatsapp(TELEFONE, "Oi, minha internet caiu.")
    provedor.whatsapp(TELEFONE, "Desde ontem à noite.")

    protocolo = Protocolo.objects.get()
    assert [r.resultado for r in MensagemRecebida.objects.order_by("pk")] == [Resultado.ABERTURA, Resultado.ANEXADA]
    assert _mensagens_do_consumidor(protocolo) == ["Desde ontem à noite."]


def test_sair_stops_whatsapp_for_the_telephone_and_nothing_goes_on_it_after(provedor):
    assert provedor.whatsapp(TELEFONE, "  Sáir! ").status_code == 200

    recebida = MensagemRecebida.objects.get()
    assert (recebida.resultado, recebida.protocolo) == (Resultado.SAIR, None)
    escolha = EscolhaDeCanal.objects.get()
    assert (escolha.telefone, escolha.canal, escolha.aceita, escolha.origem) == (
        TELEFONE,
        "whatsapp",
        False,
        "palavra_chave",
    )
    assert _respostas() == []

    provedor.whatsapp(TELEFONE, "Preciso da segunda via do boleto.")

    assert Protocolo.objects.get().objeto == "Preciso da segunda via do boleto."
    assert _respostas() == []
    assert not canais.aceita(TELEFONE, Mensagem.Canal.WHATSAPP)
    assert canais.aceita(TELEFONE, Mensagem.Canal.SMS)


def test_sair_inside_a_sentence_is_an_ordinary_message(provedor):
    provedor.whatsapp(TELEFONE, "Não consigo sair do plano.")

    assert MensagemRecebida.objects.get().resultado == Resultado.ABERTURA
    assert not EscolhaDeCanal.objects.exists()


def test_a_flood_beyond_the_senders_limit_is_only_recorded(provedor, settings):
    settings.PROTOCOLO_LIMITES = {**settings.PROTOCOLO_LIMITES, "mensagem_telefone": (3, 3600)}

    for i in range(6):
        assert provedor.whatsapp(TELEFONE, f"Mensagem {i}").status_code == 200

    resultados = [r.resultado for r in MensagemRecebida.objects.order_by("pk")]
    assert resultados == [Resultado.ABERTURA, Resultado.ANEXADA, Resultado.ANEXADA] + [Resultado.LIMITE] * 3
    assert _mensagens_do_consumidor(Protocolo.objects.get()) == ["Mensagem 1", "Mensagem 2"]
    # The number and two acknowledgements; nothing for the flood.
    assert len(_respostas()) == 3
    # SAIR is honoured past the limit.
    provedor.whatsapp(TELEFONE, "SAIR")
    assert not canais.aceita(TELEFONE, Mensagem.Canal.WHATSAPP)


def test_a_message_without_text_is_recorded_and_answered_with_how_to_write(provedor):
    imagem = {
        "from": TELEFONE[1:],
        "id": "wamid.imagem",
        "timestamp": "1765000000",
        "type": "image",
        "image": {"id": "1"},
    }

    assert provedor.meta(notificacao_meta(mensagens=[imagem])).status_code == 200

    recebida = MensagemRecebida.objects.get()
    assert (recebida.resultado, recebida.texto) == (Resultado.IGNORADA, "")
    [resposta] = _respostas()
    assert "texto" in resposta.corpo
    assert not Protocolo.objects.exists()


def test_a_closed_protocol_is_told_closed_to_its_own_telephone(provedor, supervisor):
    protocolo = abrir(consumidor=ConsumidorFactory(telefone=TELEFONE))
    services.protocolo_cancelar(protocolo=protocolo, autor=supervisor, motivo="Aberto por engano.")

    provedor.whatsapp(TELEFONE, f"E o {protocolo.numero}?")

    recebida = MensagemRecebida.objects.get()
    assert (recebida.resultado, recebida.protocolo) == (Resultado.RECUSADA, protocolo)
    assert _mensagens_do_consumidor(protocolo) == []
    [resposta] = _respostas()
    assert "cancelado" in resposta.corpo


def test_statuses_and_messages_in_one_notification(provedor):
    protocolo = abrir(consumidor=ConsumidorFactory(telefone=TELEFONE))
    enviada = Mensagem.objects.create(
        protocolo=protocolo, canal="whatsapp", destinatario=TELEFONE, assunto="a", corpo="b", message_id="<x@y>"
    )
    Mensagem.objects.filter(pk=enviada.pk).update(id_no_provedor="wamid.nosso")
    corpo = notificacao_meta(
        mensagens=[texto_meta(TELEFONE, f"{protocolo.numero} ok")], estados=[estado_meta("wamid.nosso", "read")]
    )

    assert provedor.meta(corpo).status_code == 200

    enviada.refresh_from_db()
    assert enviada.estado_no_provedor == "lida"
    assert MensagemRecebida.objects.get().resultado == Resultado.ANEXADA


def test_the_same_message_posted_at_once_by_several_retries_opens_one_protocol(provedor):
    corpo = notificacao_meta(mensagens=[texto_meta(TELEFONE, "Sem luz desde cedo.", id="wamid.corrida")])

    def postar(_):
        # A session of its own per thread, as separate retries would come.
        return Provedor(provedor.url, provedor.base_publica).meta(corpo).status_code

    with ThreadPoolExecutor(4) as executor:
        codigos = list(executor.map(postar, range(4)))

    assert codigos == [200] * 4
    assert MensagemRecebida.objects.get().resultado == Resultado.ABERTURA
    assert Protocolo.objects.count() == 1
    assert len(_respostas()) == 1
