"""Escalation hands the work to the next nível's team (docs/dominio.md §5, GRUPOS_DO_NIVEL): the
protocol leaves with nobody responsible, only that team or whoever it assigns works it, and each
person's queue is the níveis they serve."""

from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from protocolo import selectors, services
from protocolo.exceptions import PermissaoNegada
from protocolo.models import Interacao, Protocolo, Situacao, niveis_servidos
from tests.factories import AtendenteFactory, OuvidoriaFactory, UsuarioFactory, abrir

pytestmark = pytest.mark.django_db


def as_10h(dia):
    return datetime.combine(dia, time(10), tzinfo=ZoneInfo("America/Sao_Paulo"))


@pytest.fixture
def ouvidoria():
    return OuvidoriaFactory()


def _atual(protocolo):
    return Protocolo.objects.get(pk=protocolo.pk)


def test_each_group_serves_its_niveis_and_a_user_in_no_group_none(atendente, supervisor, ouvidoria):
    assert niveis_servidos(atendente) == {1}
    assert niveis_servidos(supervisor) == {1, 2}
    assert niveis_servidos(ouvidoria) == {3}
    assert niveis_servidos(UsuarioFactory()) == set()
    assert niveis_servidos(UsuarioFactory(is_superuser=True)) == {1, 2, 3}


def test_an_attendant_who_escalates_is_no_longer_responsible_and_cannot_resolve(atendente):
    protocolo = abrir(atendente=atendente)
    assert protocolo.responsavel == atendente

    services.protocolo_escalar(protocolo=protocolo, motivo="Acima da alçada.", autor=atendente)

    atual = _atual(protocolo)
    assert (atual.nivel, atual.responsavel) == (2, None)
    entrada = atual.interacoes.get(tipo=Interacao.Tipo.ESCALONAMENTO)
    assert entrada.detalhes == {"responsavel_anterior": atendente.pk}
    with pytest.raises(PermissaoNegada, match=r"nível 2 \(supervisão\): só essa equipe"):
        services.protocolo_resolver(protocolo=atual, texto="Resolvido.", autor=atendente)
    with pytest.raises(PermissaoNegada):
        services.protocolo_registrar_interacao(protocolo=atual, texto="Olá.", autor=atendente, publica=True)
    with pytest.raises(PermissaoNegada):
        services.protocolo_atribuir(protocolo=atual, responsavel=atendente, autor=atendente)
    assert _atual(protocolo).situacao == Situacao.ABERTO


def test_an_internal_note_of_a_call_is_taken_by_anyone_of_the_back_office(atendente):
    protocolo = abrir(atendente=atendente)
    services.protocolo_escalar(protocolo=protocolo, motivo="Acima da alçada.", autor=atendente)

    nota = services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Consumidor ligou perguntando do caso.", autor=atendente
    )

    assert (nota.tipo, nota.publica) == (Interacao.Tipo.NOTA_INTERNA, False)


def test_the_deadline_job_and_the_consumer_also_hand_the_protocol_over(atendente):
    por_prazo, pelo_consumidor = abrir(atendente=atendente), abrir(atendente=atendente)

    services.protocolo_escalar(protocolo=por_prazo, motivo="Prazo vencido.", origem=services.Origem.SISTEMA)
    services.protocolo_escalar(protocolo=pelo_consumidor, motivo="Pedi.", origem=services.Origem.CONSUMIDOR)

    assert [_atual(p).responsavel for p in (por_prazo, pelo_consumidor)] == [None, None]


def test_the_supervisors_work_the_second_nivel_and_the_ouvidoria_the_third(atendente, supervisor, ouvidoria):
    protocolo = abrir(atendente=atendente)
    services.protocolo_escalar(protocolo=protocolo, motivo="Acima da alçada.", autor=atendente)
    with pytest.raises(PermissaoNegada, match="nível 2"):
        services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=ouvidoria)
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=supervisor)

    services.protocolo_escalar(protocolo=protocolo, motivo="Contestado.", autor=supervisor)

    with pytest.raises(PermissaoNegada, match=r"nível 3 \(ouvidoria\)"):
        services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.", autor=supervisor)
    services.protocolo_atribuir(protocolo=protocolo, responsavel=ouvidoria, autor=ouvidoria)
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno feito pela ouvidoria.", autor=ouvidoria)
    assert _atual(protocolo).situacao == Situacao.RESOLVIDO


def test_whoever_the_team_assigns_works_the_protocol(atendente, supervisor):
    protocolo = abrir(atendente=atendente)
    services.protocolo_escalar(protocolo=protocolo, motivo="Acima da alçada.", autor=atendente)
    colega = AtendenteFactory()

    services.protocolo_atribuir(protocolo=protocolo, responsavel=colega, autor=supervisor)

    services.protocolo_resolver(protocolo=protocolo, texto="Resolvido pelo designado.", autor=colega)
    assert _atual(protocolo).situacao == Situacao.RESOLVIDO
    # Designated is not the team: the one who escalated it still cannot act on it.
    with pytest.raises(PermissaoNegada):
        services.protocolo_reabrir(protocolo=protocolo, motivo="Reabrir.", autor=atendente)


def test_a_supervisor_keeps_the_powers_over_deadlines_on_every_nivel(atendente, supervisor):
    protocolo = abrir(atendente=atendente)
    for _ in range(2):
        services.protocolo_escalar(protocolo=protocolo, motivo="Subindo.", origem=services.Origem.SISTEMA)

    services.protocolo_cancelar(protocolo=protocolo, motivo="Aberto em duplicidade por engano.", autor=supervisor)

    assert _atual(protocolo).situacao == Situacao.CANCELADO


def test_each_persons_queue_is_the_niveis_they_serve_and_what_is_theirs(atendente, supervisor, ouvidoria):
    primeiro = abrir(atendente=atendente)
    segundo = abrir(atendente=atendente)
    terceiro = abrir(atendente=atendente)
    services.protocolo_escalar(protocolo=segundo, motivo="Subiu.", autor=atendente)
    for _ in range(2):
        services.protocolo_escalar(protocolo=terceiro, motivo="Subiu.", origem=services.Origem.SISTEMA)
    designado = abrir(atendente=atendente)
    services.protocolo_escalar(protocolo=designado, motivo="Subiu.", autor=atendente)
    services.protocolo_atribuir(protocolo=designado, responsavel=atendente, autor=supervisor)

    def fila(usuario, **filtros):
        return {p.pk for p in selectors.fila_filtrada(filtros, usuario=usuario).qs}

    assert fila(atendente) == {primeiro.pk, designado.pk}
    assert fila(supervisor) == {primeiro.pk, segundo.pk, designado.pk}
    assert fila(ouvidoria) == {terceiro.pk}
    assert fila(atendente, nivel="todos") == {primeiro.pk, segundo.pk, terceiro.pk, designado.pk}
    # A search looks at every nível: the caller of a case that rose is found.
    assert fila(atendente, q=terceiro.numero) == {terceiro.pk}


def test_the_counters_count_the_niveis_served(atendente, supervisor):
    abrir()
    escalado = abrir()
    services.protocolo_escalar(protocolo=escalado, motivo="Subiu.", origem=services.Origem.SISTEMA)

    assert selectors.contadores_da_fila(usuario=atendente)["sem_responsavel"] == 1
    assert selectors.contadores_da_fila(usuario=supervisor)["sem_responsavel"] == 2


def test_the_deadline_job_leaves_no_one_responsible_for_what_it_raised(atendente, time_machine):
    time_machine.move_to(as_10h(date(2026, 11, 4)), tick=False)
    protocolo = abrir(atendente=atendente, categoria_codigo=None, objeto="")
    time_machine.move_to(as_10h(date(2026, 11, 12)), tick=False)

    call_command("verificar_prazos", stdout=StringIO(), stderr=StringIO())

    atual = _atual(protocolo)
    assert (atual.nivel, atual.responsavel) == (2, None)
