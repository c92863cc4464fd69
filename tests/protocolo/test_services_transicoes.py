"""The state machine (docs/dominio.md §4): every (from, to) pair through every service that moves the
situação; legal moves succeed, every other is refused and changes nothing."""

import datetime
import itertools

import pytest

from protocolo import relogio, services
from protocolo.exceptions import TransicaoInvalida
from protocolo.models import FINAIS, TRANSICOES, Protocolo, Situacao
from tests.factories import AtendenteFactory, ConsumidorFactory, abrir, categoria
from tests.protocolo.apoio import QUARTA, retrato

pytestmark = pytest.mark.django_db

CONSUMIDOR = services.Origem.CONSUMIDOR
SISTEMA = services.Origem.SISTEMA

A, E, G, R, F, C, S = (
    "aberto",
    "em_atendimento",
    "aguardando_consumidor",
    "resolvido",
    "encerrado",
    "cancelado",
    "sem_demanda",
)
# The moves docs/dominio.md §4 allows, written out by hand so the table in the model is checked against it.
LEGAIS = {
    (A, E, "mudar"),
    (A, G, "mudar"),
    (E, G, "mudar"),
    (G, E, "mudar"),
    (A, R, "resolver"),
    (E, R, "resolver"),
    (G, R, "resolver"),
    (R, F, "encerrar"),
    (R, E, "reabrir"),
    (A, F, "duplicar"),
    (E, F, "duplicar"),
    (G, F, "duplicar"),
    (A, C, "cancelar"),
    (E, C, "cancelar"),
    (G, C, "cancelar"),
    (R, C, "cancelar"),
    (A, S, "encerrar_sem_demanda"),
}


def levar_a(situacao, equipe):
    """A protocol in `situacao`, reached through the services, with a consumer who has an e-mail;
    an open one is a call whose demand is not recorded yet, so every move out of aberto applies."""
    sem_demanda = {"categoria_codigo": None, "objeto": ""} if situacao in (A, S) else {}
    protocolo = abrir(atendente=equipe.atendente, consumidor=ConsumidorFactory(), **sem_demanda)
    caminho = {
        A: [],
        E: [E],
        G: [G],
        R: [R],
        F: [R, F],
        C: [C],
        S: [S],
    }[situacao]
    for passo in caminho:
        protocolo = EXECUTAR[_acao_para(protocolo.situacao, passo)](protocolo, passo, equipe)
    assert protocolo.situacao == situacao
    return protocolo


def _acao_para(de, para):
    return next(acao for (d, p, acao) in sorted(LEGAIS) if (d, p) == (de, para))


def _duplicar(protocolo, para, equipe):
    original = abrir(atendente=equipe.atendente)
    return services.protocolo_marcar_duplicado(protocolo=protocolo, original=original, autor=equipe.atendente)


# Each service that moves the situação, called as the back-office or the portal would call it.
EXECUTAR = {
    "mudar": lambda p, para, eq: services.protocolo_mudar_situacao(protocolo=p, situacao=para, autor=eq.atendente),
    "resolver": lambda p, para, eq: services.protocolo_resolver(protocolo=p, texto="Feito.", autor=eq.atendente),
    "reabrir": lambda p, para, eq: services.protocolo_reabrir(protocolo=p, motivo="Não veio.", origem=CONSUMIDOR),
    "encerrar": lambda p, para, eq: services.protocolo_encerrar(protocolo=p, origem=CONSUMIDOR, avaliacao=5),
    "cancelar": lambda p, para, eq: services.protocolo_cancelar(protocolo=p, motivo="Engano.", autor=eq.supervisor),
    "duplicar": _duplicar,
    "encerrar_sem_demanda": lambda p, para, eq: services.protocolo_encerrar_sem_demanda(
        protocolo=p, motivo="A ligação caiu.", autor=eq.atendente
    ),
}
DESTINO = {"resolver": R, "reabrir": E, "encerrar": F, "cancelar": C, "duplicar": F, "encerrar_sem_demanda": S}


def _casos():
    for de, para in itertools.product(Situacao.values, repeat=2):
        yield pytest.param(de, para, "mudar", id=f"mudar:{de}->{para}")
    for de, (acao, para) in itertools.product(Situacao.values, DESTINO.items()):
        yield pytest.param(de, para, acao, id=f"{acao}:{de}->{para}")


def test_the_models_transition_table_is_exactly_the_designed_one():
    assert {(de, para, acao) for (de, para), acao in TRANSICOES.items()} == LEGAIS


def test_every_action_of_the_table_is_exercised_below():
    assert set(TRANSICOES.values()) == set(EXECUTAR)
    assert {(acao, para) for (_, para), acao in TRANSICOES.items() if acao != "mudar"} == set(DESTINO.items())


@pytest.mark.parametrize(("de", "para", "acao"), [c for c in _casos() if tuple(c.values) in LEGAIS])
def test_a_legal_move_succeeds_and_records_it(equipe, de, para, acao):
    protocolo = levar_a(de, equipe)
    entradas, versao = protocolo.interacoes.count(), protocolo.versao

    EXECUTAR[acao](protocolo, para, equipe)

    atual = Protocolo.objects.get(pk=protocolo.pk)
    assert (atual.situacao, atual.versao) == (para, versao + 1)
    assert list(atual.interacoes.filter(ordem__gt=entradas).values_list("situacao_anterior", "situacao_nova")) == [
        (de, para)
    ]


@pytest.mark.parametrize(("de", "para", "acao"), [c for c in _casos() if tuple(c.values) not in LEGAIS])
def test_any_other_move_is_refused_and_changes_nothing(equipe, de, para, acao):
    protocolo = levar_a(de, equipe)
    antes = retrato(protocolo)

    with pytest.raises(TransicaoInvalida):
        EXECUTAR[acao](protocolo, para, equipe)

    assert retrato(protocolo) == antes


def test_an_unknown_situacao_is_refused_as_an_invalid_move(atendente):
    protocolo = abrir(atendente=atendente)
    antes = retrato(protocolo)

    with pytest.raises(TransicaoInvalida, match="para “arquivado”"):
        services.protocolo_mudar_situacao(protocolo=protocolo, situacao="arquivado", autor=atendente)

    assert retrato(protocolo) == antes


def test_the_refusal_names_both_situacoes_in_portuguese(atendente):
    protocolo = abrir(atendente=atendente)

    with pytest.raises(TransicaoInvalida, match="Não é possível passar de “aberto” para “encerrado”"):
        services.protocolo_encerrar(protocolo=protocolo, origem=CONSUMIDOR)


# Final situações refuse every change ---------------------------------------------------------------


MUDANCAS = {
    "identificar": lambda p, eq: services.protocolo_identificar_consumidor(
        protocolo=p, consumidor=ConsumidorFactory(), autor=eq.atendente
    ),
    "categoria": lambda p, eq: services.protocolo_definir_categoria(
        protocolo=p, categoria=categoria("cobranca"), autor=eq.atendente
    ),
    "objeto": lambda p, eq: services.protocolo_registrar_objeto(protocolo=p, objeto="Outra coisa.", autor=eq.atendente),
    "mensagem_do_consumidor": lambda p, eq: services.protocolo_registrar_interacao(
        protocolo=p, texto="Oi?", origem=CONSUMIDOR
    ),
    "atribuir": lambda p, eq: services.protocolo_atribuir(
        protocolo=p, responsavel=AtendenteFactory(), autor=eq.supervisor
    ),
    "escalar": lambda p, eq: services.protocolo_escalar(protocolo=p, motivo="Demora.", autor=eq.atendente),
    "prorrogar": lambda p, eq: services.protocolo_prorrogar_prazo(
        protocolo=p, novo_prazo=datetime.date(2099, 1, 1), motivo="Mais tempo.", autor=eq.supervisor
    ),
    **{acao: (lambda p, eq, acao=acao: EXECUTAR[acao](p, DESTINO.get(acao, E), eq)) for acao in EXECUTAR},
}


@pytest.mark.parametrize("final", sorted(FINAIS))
@pytest.mark.parametrize("mudanca", MUDANCAS)
def test_a_final_protocol_refuses_every_change(equipe, final, mudanca):
    protocolo = levar_a(final, equipe)
    antes = retrato(protocolo)

    with pytest.raises(TransicaoInvalida):
        MUDANCAS[mudanca](protocolo, equipe)

    assert retrato(protocolo) == antes


# Nível --------------------------------------------------------------------------------------------


def test_it_refuses_escalating_past_the_ombudsman(atendente):
    protocolo = abrir(atendente=atendente)
    for _ in range(2):
        services.protocolo_escalar(protocolo=protocolo, motivo="Demora.", origem=SISTEMA)
    antes = retrato(protocolo)

    with pytest.raises(TransicaoInvalida, match="último nível"):
        services.protocolo_escalar(protocolo=protocolo, motivo="De novo.", origem=CONSUMIDOR)

    assert retrato(protocolo) == antes
    assert Protocolo.objects.get(pk=protocolo.pk).nivel == 3


def test_a_resolved_protocol_is_reopened_before_it_can_be_escalated(atendente):
    protocolo = abrir(atendente=atendente)
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)
    antes = retrato(protocolo)

    with pytest.raises(TransicaoInvalida, match="reabra-o antes de escalar"):
        services.protocolo_escalar(protocolo=protocolo, motivo="Discordo.", origem=CONSUMIDOR)

    assert retrato(protocolo) == antes
    services.protocolo_reabrir(protocolo=protocolo, motivo="Discordo.", origem=CONSUMIDOR)
    services.protocolo_escalar(protocolo=protocolo, motivo="Discordo.", origem=CONSUMIDOR)
    assert Protocolo.objects.values_list("situacao", "nivel").get(pk=protocolo.pk) == (E, 2)


# The consumer's 20 days to dispute a resolution ---------------------------------------------------


@pytest.fixture
def resolvido_na_quarta(time_machine, atendente):
    time_machine.move_to(QUARTA, tick=False)
    protocolo = abrir(atendente=atendente)
    return services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)


@pytest.mark.parametrize(
    "depois", [datetime.timedelta(minutes=1), datetime.timedelta(days=19), datetime.timedelta(days=20)]
)
def test_the_consumer_may_reopen_within_twenty_days(time_machine, resolvido_na_quarta, depois):
    time_machine.move_to(QUARTA + depois, tick=False)

    services.protocolo_reabrir(protocolo=resolvido_na_quarta, motivo="Não veio.", origem=CONSUMIDOR)

    assert Protocolo.objects.get(pk=resolvido_na_quarta.pk).situacao == E


@pytest.mark.parametrize(
    "depois", [datetime.timedelta(days=20, seconds=1), datetime.timedelta(days=21), datetime.timedelta(days=400)]
)
def test_the_consumer_may_not_reopen_after_twenty_days(time_machine, resolvido_na_quarta, depois):
    time_machine.move_to(QUARTA + depois, tick=False)
    antes = retrato(resolvido_na_quarta)

    with pytest.raises(TransicaoInvalida, match="20 dias"):
        services.protocolo_reabrir(protocolo=resolvido_na_quarta, motivo="Não veio.", origem=CONSUMIDOR)

    assert retrato(resolvido_na_quarta) == antes


def test_the_twenty_days_follow_the_domain_clock(resolvido_na_quarta):
    with relogio.em(QUARTA + datetime.timedelta(days=21)), pytest.raises(TransicaoInvalida):
        services.protocolo_reabrir(protocolo=resolvido_na_quarta, motivo="Não veio.", origem=CONSUMIDOR)
