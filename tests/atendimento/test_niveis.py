"""The back-office after an escalation (docs/dominio.md §5): the queue shows each person the níveis
they serve, and a protocol of another team's nível is read, noted, never worked."""

import pytest

from protocolo import services
from protocolo.models import Situacao
from tests.factories import abrir

pytestmark = pytest.mark.django_db


def _escalado(atendente):
    protocolo = abrir(atendente=atendente)
    services.protocolo_escalar(protocolo=protocolo, motivo="Acima da alçada.", autor=atendente)
    return protocolo


def test_the_attendants_queue_says_it_is_the_first_nivel(cliente_atendente):
    resposta = cliente_atendente.get("/atendimento/")

    assert "Sua fila: nível 1 (atendimento), e o que for atribuído a você." in resposta.text


def test_the_supervisors_queue_says_it_is_the_first_two_niveis(cliente_supervisor):
    resposta = cliente_supervisor.get("/atendimento/")

    assert "Sua fila: nível 1 (atendimento), nível 2 (supervisão), e o que for atribuído a você." in resposta.text


def test_a_protocol_of_another_nivel_offers_only_a_note(cliente_atendente, atendente):
    protocolo = _escalado(atendente)

    resposta = cliente_atendente.get(f"/atendimento/protocolos/{protocolo.numero}/")

    assert "está no nível 2 (supervisão): só essa equipe, ou quem ela designar, trabalha nele" in resposta.text
    pode = resposta.context["pode"]
    assert not any(pode[acao] for acao in ("alterar", "demanda", "mudar", "escalar", "resolver", "duplicar"))
    assert [valor for valor, _ in resposta.context["f"]["interacao"].fields["tipo"].choices] == ["interna"]
    assert 'data-form="resolver"' not in resposta.text


def test_the_team_of_the_nivel_gets_the_whole_page(cliente_supervisor, atendente):
    protocolo = _escalado(atendente)

    resposta = cliente_supervisor.get(f"/atendimento/protocolos/{protocolo.numero}/")

    assert "data-outra-equipe" not in resposta.text
    assert resposta.context["pode"]["resolver"]
    assert 'data-form="resolver"' in resposta.text


def test_a_forged_answer_to_another_nivel_is_refused_with_the_reason_and_nothing_changes(cliente_atendente, atendente):
    protocolo = _escalado(atendente)

    resposta = cliente_atendente.post(
        f"/atendimento/protocolos/{protocolo.numero}/resolver/",
        {"resolver-versao": protocolo.versao + 1, "resolver-texto": "Resolvido por fora."},
    )

    assert resposta.status_code == 200
    assert "só essa equipe, ou quem ela designar, trabalha nele" in resposta.text
    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.ABERTO
