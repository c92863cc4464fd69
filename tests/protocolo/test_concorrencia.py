"""Concurrency on real PostgreSQL: threads with their own connections, started together by a
Barrier. These tests commit, so the tables are truncated afterwards (docs/pilha.md 16); the factories
recreate groups and categorias."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from protocolo import integridade, numeracao, services
from protocolo.exceptions import DadosInvalidos, VersaoDesatualizada
from protocolo.models import Canal, Consumidor, Protocolo
from tests.factories import AtendenteFactory, SupervisorFactory, abrir

pytestmark = pytest.mark.django_db(transaction=True)

DIA = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
THREADS = 8
POR_THREAD = 50


@pytest.fixture(autouse=True)
def _relogio(time_machine):
    # One day for the whole test, whatever the wall clock says (the sequence is per day).
    time_machine.move_to(DIA)


def em_paralelo(*tarefas):
    """Run each callable in its own thread, all released at once; (results, exceptions)."""
    largada = threading.Barrier(len(tarefas))
    resultados, erros = [None] * len(tarefas), []

    def correr(indice, tarefa):
        try:
            largada.wait(timeout=30)
            resultados[indice] = tarefa()
        except Exception as erro:  # collected and asserted by the test
            erros.append(erro)
        finally:
            connection.close()

    threads = [threading.Thread(target=correr, args=(i, tarefa)) for i, tarefa in enumerate(tarefas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "uma thread não terminou"
    return resultados, erros


def test_concurrent_openings_get_distinct_gapless_numbers():
    atendentes = [AtendenteFactory() for _ in range(THREADS)]

    def abrir_varios(atendente):
        return lambda: [
            services.protocolo_abrir(canal=Canal.TELEFONE, atendente=atendente).numero for _ in range(POR_THREAD)
        ]

    resultados, erros = em_paralelo(*(abrir_varios(a) for a in atendentes))

    assert erros == []
    numeros = [numero for lote in resultados for numero in lote]
    assert len(numeros) == len(set(numeros)) == THREADS * POR_THREAD
    guardados = Protocolo.objects.values_list("numero", flat=True)
    partes = sorted(numeracao.decompor(numero) for numero in guardados)
    assert partes == [(DIA.date(), n) for n in range(1, THREADS * POR_THREAD + 1)]


def test_two_concurrent_escalations_both_count():
    atendente = AtendenteFactory()
    protocolo = abrir(atendente=atendente)
    # Supervisors serve both níveis the two escalations leave from (docs/dominio.md §5).
    supervisor, outro = SupervisorFactory(), SupervisorFactory()

    _, erros = em_paralelo(
        lambda: services.protocolo_escalar(protocolo=protocolo, motivo="Primeira.", autor=supervisor),
        lambda: services.protocolo_escalar(protocolo=protocolo, motivo="Segunda.", autor=outro),
    )

    assert erros == []
    atual = Protocolo.objects.get(pk=protocolo.pk)
    assert (atual.nivel, atual.versao) == (3, protocolo.versao + 2)
    escalonamentos = list(
        atual.interacoes.filter(tipo="escalonamento").values_list("ordem", "nivel_anterior", "nivel_novo")
    )
    assert escalonamentos == [(2, 1, 2), (3, 2, 3)]


def test_two_concurrent_stale_forms_let_exactly_one_through():
    atendente = AtendenteFactory()
    protocolo = abrir(atendente=atendente)
    lida = protocolo.versao

    _, erros = em_paralelo(
        lambda: services.protocolo_mudar_situacao(
            protocolo=protocolo, situacao="em_atendimento", autor=atendente, versao=lida
        ),
        lambda: services.protocolo_escalar(protocolo=protocolo, motivo="Demora.", autor=atendente, versao=lida),
    )

    assert len(erros) == 1
    assert isinstance(erros[0], VersaoDesatualizada)
    assert Protocolo.objects.get(pk=protocolo.pk).versao == lida + 1


def test_two_concurrent_interactions_are_chained_one_after_the_other():
    atendente = AtendenteFactory()
    protocolo = abrir(atendente=atendente)
    antes = protocolo.interacoes.count()

    resultados, erros = em_paralelo(
        lambda: services.protocolo_registrar_interacao(protocolo=protocolo, texto="Nota.", autor=atendente),
        lambda: services.protocolo_registrar_interacao(protocolo=protocolo, texto="Oi?", origem="consumidor"),
    )

    assert erros == []
    assert sorted(interacao.ordem for interacao in resultados) == [antes + 1, antes + 2]
    entradas = list(protocolo.interacoes.order_by("ordem"))
    assert len(entradas) == antes + 2
    assert integridade.verificar_cadeia(protocolo.numero, entradas) is None


@pytest.mark.parametrize("rodada", range(5))
def test_two_protocols_marked_as_each_others_duplicate_at_once_refuse_one_cleanly(rodada):
    atendente = AtendenteFactory()
    um, outro = abrir(atendente=atendente), abrir(atendente=atendente)

    _, erros = em_paralelo(
        lambda: services.protocolo_marcar_duplicado(protocolo=um, original=outro, autor=atendente),
        lambda: services.protocolo_marcar_duplicado(protocolo=outro, original=um, autor=atendente),
    )

    # Not a deadlock (OperationalError) nor a cycle: the second one waits and is refused.
    assert [type(erro) for erro in erros] == [DadosInvalidos]
    assert Protocolo.objects.filter(duplicado_de__isnull=False).count() == 1


def test_two_concurrent_identifications_of_one_cpf_make_one_consumer():
    resultados, erros = em_paralelo(
        lambda: services.consumidor_identificar(cpf="529.982.247-25", nome="Maria"),
        lambda: services.consumidor_identificar(cpf="52998224725"),
    )

    assert erros == []
    assert sorted(criado for _, criado in resultados) == [False, True]
    assert Consumidor.objects.get().nome == "Maria"
