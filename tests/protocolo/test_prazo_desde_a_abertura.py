"""Every protocol has a deadline from its opening (docs/dominio.md §4, Decreto 11.034 art. 13): 7
calendar days from the registration while no categoria set its own; the backfill of old protocols
never escalates them all at once; and a call that drops before any demand is recorded is closed by
the attendant who opened it, the same day, with a reason."""

import datetime
from datetime import date
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from protocolo import services
from protocolo.exceptions import DadosInvalidos, PermissaoNegada, TransicaoInvalida
from protocolo.models import FINAIS, PENDENTES, TRANSICOES, Interacao, Mensagem, Protocolo, Situacao
from tests.factories import AtendenteFactory, abrir, categoria

SP = ZoneInfo("America/Sao_Paulo")


def as_10h(dia):
    return datetime.datetime.combine(dia, datetime.time(10), tzinfo=SP)


# The deadline from the opening ---------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(as_10h(date(2026, 11, 27)), tick=False)
def test_a_protocol_opened_without_categoria_has_seven_calendar_days():
    protocolo = abrir(categoria_codigo=None, objeto="")

    assert protocolo.prazo == date(2026, 12, 4)
    protocolo.refresh_from_db()
    assert protocolo.prazo == date(2026, 12, 4)
    assert protocolo.interacoes.get(tipo=Interacao.Tipo.ABERTURA).detalhes["prazo"] == "2026-12-04"


@pytest.mark.django_db
def test_the_categoria_set_later_replaces_the_provisional_deadline_even_a_longer_one(atendente):
    with time_machine.travel(as_10h(date(2026, 11, 27)), tick=False):
        protocolo = abrir(categoria_codigo=None, atendente=atendente)
    with time_machine.travel(as_10h(date(2026, 11, 30)), tick=False):
        protocolo = services.protocolo_definir_categoria(
            protocolo=protocolo, categoria=categoria("lgpd"), autor=atendente
        )

    # 15 corridos from Fri 27/11: Sat 12/12 → Mon 14/12; an attendant may not postpone a categoria's
    # deadline, but the 7 days were only waiting for one.
    assert protocolo.prazo == date(2026, 12, 14)


@pytest.mark.django_db
def test_a_protocol_without_categoria_becomes_overdue_and_escalates(time_machine):
    time_machine.move_to(as_10h(date(2026, 11, 4)), tick=False)
    protocolo = abrir(categoria_codigo=None, objeto="")
    time_machine.move_to(as_10h(date(2026, 11, 12)), tick=False)

    call_command("verificar_prazos", stdout=StringIO(), stderr=StringIO())

    protocolo.refresh_from_db()
    assert protocolo.situacao_do_prazo == "vencido"
    assert protocolo.nivel == 2


# The backfill ----------------------------------------------------------------------------------------

ANTES = [("protocolo", "0016_encerramento_sem_demanda")]


def _migrar(alvo):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(alvo)
    return executor.loader.project_state(alvo).apps


def _folhas():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("protocolo")


@pytest.mark.django_db(transaction=True)
def test_the_backfill_gives_old_protocols_a_deadline_already_handled_when_past(time_machine):
    time_machine.move_to(as_10h(date(2026, 11, 27)), tick=False)
    antigas = _migrar(ANTES)
    try:
        Antigo = antigas.get_model("protocolo", "Protocolo")
        Antigo.objects.create(numero="1", canal="telefone", aberto_em=as_10h(date(2026, 10, 1)))
        Antigo.objects.create(numero="2", canal="telefone", aberto_em=as_10h(date(2026, 11, 25)))
        # 23:30 of 24/11 in São Paulo is already 25/11 in UTC: the local date counts.
        Antigo.objects.create(
            numero="3", canal="telefone", aberto_em=datetime.datetime(2026, 11, 24, 23, 30, tzinfo=SP)
        )
        Antigo.objects.create(
            numero="4", canal="telefone", aberto_em=as_10h(date(2026, 10, 1)), prazo=date(2026, 10, 1)
        )
        _migrar(_folhas())
    finally:
        _migrar(_folhas())

    prazos = dict(Protocolo.objects.values_list("numero", "prazo"))
    handled = dict(Protocolo.objects.values_list("numero", "escalado_no_prazo"))
    assert prazos == {
        "1": date(2026, 10, 8),
        "2": date(2026, 12, 2),
        "3": date(2026, 12, 1),
        "4": date(2026, 10, 1),
    }
    # Past: handled already, so one run of verificar_prazos does not escalate a backlog at once.
    assert handled == {"1": date(2026, 10, 8), "2": None, "3": None, "4": None}
    call_command("verificar_prazos", stdout=StringIO(), stderr=StringIO())

    assert Protocolo.objects.get(numero="1").nivel == 1
    assert Protocolo.objects.get(numero="4").nivel == 2  # overdue before the backfill, as always
    assert not Mensagem.objects.exists()


# A call that drops before any demand ----------------------------------------------------------------


def test_the_transitions_table_has_the_closing_without_demand():
    assert TRANSICOES[(Situacao.ABERTO, Situacao.SEM_DEMANDA)] == "encerrar_sem_demanda"
    assert [de for (de, para) in TRANSICOES if para == Situacao.SEM_DEMANDA] == [Situacao.ABERTO]
    assert Situacao.SEM_DEMANDA in FINAIS
    assert Situacao.SEM_DEMANDA not in PENDENTES


@pytest.fixture
def ligacao(atendente, time_machine):
    time_machine.move_to(as_10h(date(2026, 11, 27)), tick=False)
    return abrir(categoria_codigo=None, objeto="", atendente=atendente)


def test_the_opener_closes_a_dropped_call_the_same_day_with_a_reason(ligacao, atendente, time_machine):
    time_machine.move_to(as_10h(date(2026, 11, 27)) + datetime.timedelta(hours=9), tick=False)

    protocolo = services.protocolo_encerrar_sem_demanda(
        protocolo=ligacao, motivo="A ligação caiu antes do relato.", autor=atendente, versao=ligacao.versao
    )

    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.SEM_DEMANDA
    assert protocolo.encerrado_em is not None
    entrada = protocolo.interacoes.order_by("-ordem").first()
    assert (entrada.tipo, entrada.texto, entrada.situacao_anterior, entrada.situacao_nova, entrada.autor) == (
        Interacao.Tipo.SEM_DEMANDA,
        "A ligação caiu antes do relato.",
        Situacao.ABERTO,
        Situacao.SEM_DEMANDA,
        atendente,
    )
    with pytest.raises(TransicaoInvalida):
        services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.", autor=atendente)
    assert Protocolo.objects.filter(numero=ligacao.numero).exists()


def test_closing_without_demand_needs_a_reason(ligacao, atendente):
    with pytest.raises(DadosInvalidos, match="motivo"):
        services.protocolo_encerrar_sem_demanda(protocolo=ligacao, motivo=" ", autor=atendente)


def test_only_the_attendant_who_opened_it_closes_it_without_demand(ligacao, supervisor):
    with pytest.raises(PermissaoNegada, match="quem abriu"):
        services.protocolo_encerrar_sem_demanda(protocolo=ligacao, motivo="Caiu.", autor=supervisor)
    with pytest.raises(PermissaoNegada):
        services.protocolo_encerrar_sem_demanda(protocolo=ligacao, motivo="Caiu.", autor=AtendenteFactory())
    ligacao.refresh_from_db()
    assert ligacao.situacao == Situacao.ABERTO


def test_closing_without_demand_is_only_for_the_opening_day(ligacao, atendente, time_machine):
    time_machine.move_to(as_10h(date(2026, 11, 28)), tick=False)

    with pytest.raises(TransicaoInvalida, match="no dia da abertura"):
        services.protocolo_encerrar_sem_demanda(protocolo=ligacao, motivo="Caiu.", autor=atendente)


@pytest.mark.parametrize("registrar", ["objeto", "categoria", "mensagem"])
def test_a_recorded_demand_cannot_be_closed_as_without_demand(ligacao, atendente, registrar):
    if registrar == "objeto":
        services.protocolo_registrar_objeto(protocolo=ligacao, objeto="Fatura em dobro.", autor=atendente)
    elif registrar == "categoria":
        services.protocolo_definir_categoria(protocolo=ligacao, categoria=categoria("cobranca"), autor=atendente)
    else:
        services.protocolo_registrar_interacao(protocolo=ligacao, texto="Vou verificar.", autor=atendente, publica=True)

    with pytest.raises(TransicaoInvalida, match="demanda registrada"):
        services.protocolo_encerrar_sem_demanda(protocolo=ligacao, motivo="Caiu.", autor=atendente)


def test_the_back_office_offers_it_to_the_opener_and_it_closes_the_protocol(ligacao, atendente, client):
    cliente = client
    cliente.force_login(atendente)
    url = f"/atendimento/protocolos/{ligacao.numero}/"

    pagina = cliente.get(url)
    assert b"sem_demanda-motivo" in pagina.content

    resposta = cliente.post(
        url + "sem-demanda/", {"sem_demanda-motivo": "A ligação caiu.", "sem_demanda-versao": ligacao.versao}
    )

    assert resposta.status_code == 302
    ligacao.refresh_from_db()
    assert ligacao.situacao == Situacao.SEM_DEMANDA
    assert b"sem_demanda-motivo" not in cliente.get(url).content
