"""The status page in the consumer's words (issue 13, item 10): a progress line, what happens next and
by when, the company's answer above the question about it, and a rating of large targets."""

import datetime
import re

import pytest

from consumidor import acesso
from protocolo import services
from protocolo.models import Situacao
from tests.consumidor.apoio import pagina
from tests.factories import AtendenteFactory, abrir

pytestmark = pytest.mark.django_db

# Friday 2026-11-20, 10:00 in São Paulo.
ABERTURA = datetime.datetime(2026, 11, 20, 13, tzinfo=datetime.UTC)


def _ver(client, protocolo):
    sessao = client.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    return client.get(pagina(protocolo)).text


def _etapa_atual(texto):
    return re.search(
        r'aria-current="step">\s*<span[^>]*></span>\s*<span class="andamento__nome">([^<]+)<', texto
    ).group(1)


@pytest.fixture
def atendente():
    return AtendenteFactory(first_name="Joana")


def test_the_progress_line_names_the_step_and_the_date_of_the_answer(client, consumidor, atendente, time_machine):
    time_machine.move_to(ABERTURA, tick=False)
    protocolo = abrir(consumidor=consumidor)
    assert _etapa_atual(_ver(client, protocolo)) == "Registrado"

    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)
    texto = _ver(client, protocolo)

    assert _etapa_atual(texto) == "Em análise"
    assert "Próximo passo:</strong> A empresa responde até 27/11/2026." in texto
    for interno in ("Nível", "1 · atendimento", "Situação: em atendimento", "Baixar histórico (JSON)"):
        assert interno not in texto


def test_a_resolution_shows_the_companys_answer_right_above_the_question(client, consumidor, atendente, time_machine):
    time_machine.move_to(ABERTURA, tick=False)
    protocolo = abrir(consumidor=consumidor)
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)
    services.protocolo_resolver(protocolo=protocolo, texto="Estornamos a cobrança em dobro.", autor=atendente)

    texto = _ver(client, protocolo)

    assert _etapa_atual(texto) == "Respondido"
    assert "Diga se a resposta resolveu até 10/12/2026" in texto
    resposta = texto.index("Estornamos a cobrança em dobro.</blockquote>")
    pergunta = texto.index("A resposta resolveu a sua demanda?")
    assert resposta < pergunta
    # Nothing but the heading of the answer stands between the two.
    assert "<section" not in texto[resposta:pergunta] and "<form" not in texto[resposta:pergunta]
    nota = re.search(r'<div id="div_id_avaliacao" class="[^"]*\bnota\b', texto)
    assert nota, "the rating is drawn as a row of targets (.nota)"
    assert texto.count('name="avaliacao"') == 5


def test_escalation_is_said_as_who_is_looking_at_it(client, consumidor, atendente, time_machine):
    time_machine.move_to(ABERTURA, tick=False)
    protocolo = abrir(consumidor=consumidor)
    services.protocolo_escalar(protocolo=protocolo, motivo="Cliente antigo.", autor=atendente)

    texto = _ver(client, protocolo)

    assert "O seu protocolo está com a supervisão." in texto
    assert "Nível 2" not in texto
