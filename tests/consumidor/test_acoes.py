"""The consumer's actions on the status page (issue 3, item 3): POST only, each writing a public
timeline entry, refusals shown as messages."""

import datetime

import pytest
from django.db import models
from django.test import Client

from consumidor import acesso
from protocolo import relogio, services
from protocolo.models import Interacao, Protocolo, Situacao
from tests.consumidor.apoio import pagina
from tests.factories import AtendenteFactory, abrir

pytestmark = pytest.mark.django_db

Tipo = Interacao.Tipo
CONSUMIDOR = Interacao.Origem.CONSUMIDOR
MEIO_DIA = datetime.datetime(2026, 11, 27, 15, tzinfo=datetime.UTC)


@pytest.fixture
def atendente():
    return AtendenteFactory()


def _ultima(protocolo):
    return protocolo.interacoes.order_by("-ordem").first()


def _acessar(client, protocolo):
    sessao = client.session
    acesso.conceder(sessao, protocolo)
    sessao.save()


def _mensagens(resposta):
    return [str(m) for m in resposta.context["messages"]]


# Messages -----------------------------------------------------------------------------------------


def test_a_message_is_recorded_as_a_public_entry_from_the_consumer(visitante, protocolo):
    resposta = visitante.post(pagina(protocolo, "consumidor:mensagem"), {"texto": "Alguma novidade?"}, follow=True)

    entrada = _ultima(protocolo)
    assert (entrada.tipo, entrada.origem, entrada.publica, entrada.texto) == (
        Tipo.MENSAGEM_CONSUMIDOR,
        CONSUMIDOR,
        True,
        "Alguma novidade?",
    )
    assert entrada.autor is None
    assert resposta.redirect_chain[-1][0] == pagina(protocolo)
    assert "Mensagem enviada. A equipe responsável já pode vê-la." in _mensagens(resposta)
    protocolo.refresh_from_db()
    assert protocolo.consumidor_escreveu_em is not None


def test_ten_kilobytes_of_message_is_a_portuguese_form_error(visitante, protocolo):
    antes = protocolo.interacoes.count()

    resposta = visitante.post(pagina(protocolo, "consumidor:mensagem"), {"texto": "a" * 10_240})

    assert resposta.status_code == 200
    assert "Use no máximo 4000 caracteres (você usou 10240)." in resposta.text
    assert protocolo.interacoes.count() == antes


@pytest.mark.parametrize("texto", ["", "   ", "abc\x07def", "\x1b[31m"])
def test_an_empty_or_garbled_message_is_refused(visitante, protocolo, texto):
    antes = protocolo.interacoes.count()

    resposta = visitante.post(pagina(protocolo, "consumidor:mensagem"), {"texto": texto})

    assert resposta.status_code == 200
    assert "is-invalid" in resposta.text
    assert protocolo.interacoes.count() == antes


def test_a_closed_protocol_takes_no_more_messages(visitante, protocolo, atendente):
    services.protocolo_resolver(protocolo=protocolo, texto="Estornado.", autor=atendente)
    services.protocolo_encerrar(protocolo=protocolo, origem=CONSUMIDOR, avaliacao=5)
    antes = protocolo.interacoes.count()

    resposta = visitante.post(pagina(protocolo, "consumidor:mensagem"), {"texto": "Mais uma coisa"}, follow=True)

    assert protocolo.interacoes.count() == antes
    assert any("não aceita mudanças" in m for m in _mensagens(resposta))
    assert "Enviar uma mensagem" not in resposta.text


def test_a_message_refused_because_the_case_closed_meanwhile_is_still_in_front_of_the_consumer(
    visitante, protocolo, atendente
):
    texto = "Escrevi isto com calma, com todos os detalhes do que aconteceu."
    services.protocolo_resolver(protocolo=protocolo, texto="Estornado.", autor=atendente)
    services.protocolo_encerrar(protocolo=protocolo, origem=CONSUMIDOR, avaliacao=5)

    resposta = visitante.post(pagina(protocolo, "consumidor:mensagem"), {"texto": texto})

    assert resposta.status_code == 409
    assert "O que você escreveu não foi registrado" in resposta.text
    assert texto in resposta.text
    assert any("não aceita mudanças" in m for m in _mensagens(resposta))


def test_a_refused_answer_keeps_its_comment(resolvido, time_machine):
    time_machine.move_to(MEIO_DIA + datetime.timedelta(days=20, minutes=1), tick=False)
    visitante = Client()
    _acessar(visitante, resolvido)
    comentario = "O estorno não apareceu na fatura e ninguém me ligou de volta."

    resposta = visitante.post(
        pagina(resolvido, "consumidor:resposta"), {"resposta": "nao_resolvido", "comentario": comentario}
    )

    assert resposta.status_code == 409
    assert comentario in resposta.text


def test_actions_without_access_are_the_same_404_and_change_nothing(client, protocolo):
    antes = protocolo.interacoes.count()

    for nome in ("consumidor:mensagem", "consumidor:pedir_supervisao", "consumidor:resposta"):
        resposta = client.post(pagina(protocolo, nome), {"texto": "x", "resposta": "resolvido", "avaliacao": "5"})
        assert resposta.status_code == 404
        assert "Protocolo não encontrado" in resposta.text

    assert protocolo.interacoes.count() == antes


# Supervision ----------------------------------------------------------------------------------------


@pytest.fixture
def vencido(consumidor, time_machine):
    time_machine.move_to(MEIO_DIA, tick=False)
    with relogio.em(MEIO_DIA - datetime.timedelta(days=10)):
        return abrir(consumidor=consumidor)


def test_asking_for_supervision_of_an_overdue_case_raises_the_level_once(client, vencido):
    _acessar(client, vencido)

    resposta = client.post(pagina(vencido, "consumidor:pedir_supervisao"), follow=True)

    vencido.refresh_from_db()
    assert vencido.nivel == Protocolo.Nivel.SUPERVISAO
    entrada = _ultima(vencido)
    assert (entrada.tipo, entrada.origem, entrada.publica) == (Tipo.ESCALONAMENTO, CONSUMIDOR, True)
    assert (entrada.nivel_anterior, entrada.nivel_novo) == (1, 2)
    assert "Prazo de resposta vencido." in entrada.texto
    assert "Pedido registrado: a supervisão vai analisar o seu protocolo." in _mensagens(resposta)
    assert "O seu protocolo está com a supervisão." in resposta.text


def test_asking_twice_changes_nothing_the_second_time(client, vencido):
    _acessar(client, vencido)
    client.post(pagina(vencido, "consumidor:pedir_supervisao"))
    antes = vencido.interacoes.count()

    resposta = client.post(pagina(vencido, "consumidor:pedir_supervisao"), follow=True)

    vencido.refresh_from_db()
    assert vencido.nivel == 2
    assert vencido.interacoes.count() == antes
    assert "O seu protocolo já está com a supervisão." in _mensagens(resposta)


def test_supervision_is_refused_within_the_deadline(visitante, protocolo):
    antes = protocolo.interacoes.count()

    resposta = visitante.post(pagina(protocolo, "consumidor:pedir_supervisao"), follow=True)

    protocolo.refresh_from_db()
    assert protocolo.nivel == 1
    assert protocolo.interacoes.count() == antes
    assert any("depois que o prazo vence" in m for m in _mensagens(resposta))


def test_supervision_is_refused_on_a_final_protocol(client, vencido, atendente):
    services.protocolo_resolver(protocolo=vencido, texto="Feito.", autor=atendente)
    services.protocolo_encerrar(protocolo=vencido, origem=CONSUMIDOR, avaliacao=3)
    _acessar(client, vencido)

    resposta = client.post(pagina(vencido, "consumidor:pedir_supervisao"), follow=True)

    vencido.refresh_from_db()
    assert vencido.nivel == 1
    assert any("não aceita mudanças" in m for m in _mensagens(resposta))


def test_supervision_may_be_asked_after_a_disputed_resolution(protocolo, atendente):
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)
    services.protocolo_reabrir(protocolo=protocolo, motivo="Não resolveu.", origem=CONSUMIDOR)

    protocolo, escalado = services.protocolo_pedir_supervisao(protocolo=protocolo)

    assert escalado
    assert protocolo.nivel == 2
    assert "Resolução contestada" in _ultima(protocolo).texto


def test_get_on_an_action_is_refused(visitante, protocolo):
    for nome in ("consumidor:mensagem", "consumidor:pedir_supervisao", "consumidor:resposta"):
        assert visitante.get(pagina(protocolo, nome)).status_code == 405


# Answering a resolution -----------------------------------------------------------------------------


@pytest.fixture
def resolvido(protocolo, atendente, time_machine):
    time_machine.move_to(MEIO_DIA, tick=False)
    return services.protocolo_resolver(protocolo=protocolo, texto="Estornamos a cobrança.", autor=atendente)


def test_a_resolved_case_asks_whether_it_was_solved(visitante, resolvido):
    assert "A resposta resolveu a sua demanda?" in visitante.get(pagina(resolvido)).text


def test_resolved_closes_it_with_the_rating_and_comment(visitante, resolvido):
    resposta = visitante.post(
        pagina(resolvido, "consumidor:resposta"),
        {"resposta": "resolvido", "avaliacao": "4", "comentario": "Demorou, mas resolveu."},
        follow=True,
    )

    resolvido.refresh_from_db()
    assert (resolvido.situacao, resolvido.avaliacao) == (Situacao.ENCERRADO, 4)
    entrada = _ultima(resolvido)
    assert (entrada.tipo, entrada.origem, entrada.publica, entrada.texto) == (
        Tipo.ENCERRAMENTO,
        CONSUMIDOR,
        True,
        "Demorou, mas resolveu.",
    )
    assert entrada.detalhes == {"avaliacao": 4}
    assert "Obrigado pela avaliação. O protocolo foi encerrado." in _mensagens(resposta)
    assert "Sua nota: 4 de 5." in resposta.text


@pytest.mark.parametrize("avaliacao", ["", "0", "6", "cinco", "4.5"])
def test_resolved_needs_a_rating_from_one_to_five(visitante, resolvido, avaliacao):
    resposta = visitante.post(
        pagina(resolvido, "consumidor:resposta"), {"resposta": "resolvido", "avaliacao": avaliacao}
    )

    resolvido.refresh_from_db()
    assert resolvido.situacao == Situacao.RESOLVIDO
    assert resposta.status_code == 200
    assert "nota" in resposta.text.lower()


def test_not_resolved_reopens_and_escalates(resolvido, time_machine):
    time_machine.move_to(MEIO_DIA + datetime.timedelta(days=19), tick=False)
    visitante = Client()
    _acessar(visitante, resolvido)

    resposta = visitante.post(
        pagina(resolvido, "consumidor:resposta"),
        {"resposta": "nao_resolvido", "comentario": "A cobrança veio de novo."},
        follow=True,
    )

    resolvido.refresh_from_db()
    assert (resolvido.situacao, resolvido.nivel) == (Situacao.EM_ATENDIMENTO, 2)
    reabertura, escalonamento = resolvido.interacoes.order_by("-ordem")[:2][::-1]
    assert (reabertura.tipo, reabertura.origem, reabertura.texto) == (
        Tipo.REABERTURA,
        CONSUMIDOR,
        "A cobrança veio de novo.",
    )
    assert (escalonamento.tipo, escalonamento.origem, escalonamento.publica) == (Tipo.ESCALONAMENTO, CONSUMIDOR, True)
    assert "O protocolo foi reaberto e encaminhado à supervisão." in _mensagens(resposta)
    assert "Se o problema continuar" in resposta.text


def test_not_resolved_needs_to_say_what_is_missing(visitante, resolvido):
    resposta = visitante.post(pagina(resolvido, "consumidor:resposta"), {"resposta": "nao_resolvido"})

    resolvido.refresh_from_db()
    assert resolvido.situacao == Situacao.RESOLVIDO
    assert "Conte o que faltou para resolver." in resposta.text


def test_not_resolved_after_twenty_days_is_refused(resolvido, time_machine):
    time_machine.move_to(MEIO_DIA + datetime.timedelta(days=20, minutes=1), tick=False)
    visitante = Client()
    _acessar(visitante, resolvido)

    resposta = visitante.post(
        pagina(resolvido, "consumidor:resposta"), {"resposta": "nao_resolvido", "comentario": "Tarde"}, follow=True
    )

    resolvido.refresh_from_db()
    assert resolvido.situacao == Situacao.RESOLVIDO
    assert any("20 dias" in m for m in _mensagens(resposta))
    assert "A resposta resolveu a sua demanda?" not in resposta.text


def test_answering_a_case_that_is_not_resolved_is_refused(visitante, protocolo):
    resposta = visitante.post(
        pagina(protocolo, "consumidor:resposta"), {"resposta": "resolvido", "avaliacao": "5"}, follow=True
    )

    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.ABERTO
    assert any("Não é possível passar" in m for m in _mensagens(resposta))


def test_a_resolved_case_is_answered_not_sent_to_supervision(client, vencido, atendente):
    services.protocolo_resolver(protocolo=vencido, texto="Feito.", autor=atendente)
    _acessar(client, vencido)

    pagina_resolvida = client.get(pagina(vencido)).text
    resposta = client.post(pagina(vencido, "consumidor:pedir_supervisao"), follow=True)

    vencido.refresh_from_db()
    assert vencido.nivel == 1
    assert "Pedir análise da supervisão" not in pagina_resolvida
    assert "venceu há" not in pagina_resolvida
    assert any("diga se a resposta resolveu" in m for m in _mensagens(resposta))


def test_a_burst_of_messages_is_refused_past_ten_an_hour_keeping_the_text(visitante, protocolo, limites_zerados):
    # 30 messages of 3.9 kB in 2 s were all written into a record that can never be deleted.
    antes = protocolo.interacoes.count()
    for n in range(10):
        assert visitante.post(pagina(protocolo, "consumidor:mensagem"), {"texto": f"Mensagem {n}"}).status_code == 302

    resposta = visitante.post(pagina(protocolo, "consumidor:mensagem"), {"texto": "A décima primeira."})

    assert resposta.status_code == 429
    assert resposta["Retry-After"] == "3600"
    assert "Muitas mensagens seguidas: esta não foi registrada." in resposta.text
    assert "envie-a de novo em 60 minuto(s)" in resposta.text
    assert "A décima primeira." in resposta.text
    assert protocolo.interacoes.count() == antes + 10


def test_the_message_limit_also_counts_per_network_across_protocols(settings, limites_zerados):
    settings.PROTOCOLO_LIMITES = settings.PROTOCOLO_LIMITES | {"mensagem_ip": (3, 3600)}
    cliente = Client()
    protocolos = [abrir() for _ in range(4)]
    for protocolo in protocolos:
        _acessar(cliente, protocolo)

    estados = [cliente.post(pagina(p, "consumidor:mensagem"), {"texto": "Oi"}).status_code for p in protocolos]

    assert estados == [302, 302, 302, 429]
    assert protocolos[3].interacoes.filter(tipo=Tipo.MENSAGEM_CONSUMIDOR).count() == 0


@pytest.mark.parametrize(("nivel", "esperado"), [(2, "encaminhado à ouvidoria"), (3, "segue com a ouvidoria")])
def test_the_words_after_a_dispute_follow_the_level_it_reached(resolvido, time_machine, nivel, esperado):
    for _ in range(nivel - 1):
        Protocolo.objects.filter(pk=resolvido.pk).update(nivel=models.F("nivel") + 1)
    time_machine.move_to(MEIO_DIA + datetime.timedelta(days=1), tick=False)
    visitante = Client()
    _acessar(visitante, resolvido)

    resposta = visitante.post(
        pagina(resolvido, "consumidor:resposta"),
        {"resposta": "nao_resolvido", "comentario": "A cobrança veio de novo."},
        follow=True,
    )

    resolvido.refresh_from_db()
    assert resolvido.nivel == 3
    assert f"O protocolo foi reaberto e {esperado}." in _mensagens(resposta)
    assert "supervisão" not in " ".join(_mensagens(resposta))
