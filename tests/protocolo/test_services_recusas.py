"""What the services refuse besides illegal moves: permissions, bad input, bad links.
Every refusal leaves the protocol, its timeline and the outbox as they were."""

import datetime

import pytest
from django.contrib.auth.models import Group

from protocolo import services
from protocolo.dados_iniciais import ATENDENTES
from protocolo.exceptions import DadosInvalidos, PermissaoNegada
from protocolo.models import Consumidor, Protocolo
from tests.factories import AtendenteFactory, ConsumidorFactory, UsuarioFactory, abrir, categoria
from tests.protocolo.apoio import QUARTA, retrato

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("na_quarta")]

PRAZO = datetime.date(2026, 3, 11)  # 7 days after QUARTA, for a reclamação
CONSUMIDOR = services.Origem.CONSUMIDOR


def aberto(equipe):
    return abrir(atendente=equipe.atendente, consumidor=ConsumidorFactory())


def resolvido(equipe):
    protocolo = aberto(equipe)
    return services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=equipe.atendente)


# Permissions --------------------------------------------------------------------------------------


def cancelar(protocolo, autor):
    services.protocolo_cancelar(protocolo=protocolo, motivo="Engano.", autor=autor)


def prorrogar(protocolo, autor):
    services.protocolo_prorrogar_prazo(
        protocolo=protocolo, novo_prazo=datetime.date(2026, 3, 20), motivo="Mais tempo.", autor=autor
    )


def atribuir_a_outro(protocolo, autor):
    services.protocolo_atribuir(protocolo=protocolo, responsavel=AtendenteFactory(), autor=autor)


def escalar(protocolo, autor):
    services.protocolo_escalar(protocolo=protocolo, motivo="Demora.", autor=autor)


SO_SUPERVISORES = [cancelar, prorrogar, atribuir_a_outro]


def _sem_grupo():
    return UsuarioFactory()


def _atendente():
    return AtendenteFactory()


def _ninguem():
    return None


@pytest.mark.parametrize("acao", SO_SUPERVISORES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("quem", [_atendente, _sem_grupo, _ninguem], ids=lambda f: f.__name__)
def test_supervisor_only_actions_are_refused_to_anyone_else(equipe, acao, quem):
    protocolo = aberto(equipe)
    antes = retrato(protocolo)

    with pytest.raises(PermissaoNegada, match="Só supervisores"):
        acao(protocolo, quem())

    assert retrato(protocolo) == antes


@pytest.mark.parametrize("acao", [*SO_SUPERVISORES, escalar], ids=lambda f: f.__name__)
def test_a_supervisor_may_do_them_all(equipe, acao):
    protocolo = aberto(equipe)

    acao(protocolo, equipe.supervisor)

    assert Protocolo.objects.get(pk=protocolo.pk).versao == protocolo.versao + 1


def test_an_attendant_may_escalate(equipe):
    protocolo = aberto(equipe)

    escalar(protocolo, equipe.atendente)

    assert Protocolo.objects.get(pk=protocolo.pk).nivel == 2


def test_a_user_outside_the_team_may_not_escalate(equipe):
    protocolo = aberto(equipe)
    antes = retrato(protocolo)

    with pytest.raises(PermissaoNegada, match="escalar"):
        escalar(protocolo, UsuarioFactory())

    assert retrato(protocolo) == antes


def test_an_attendant_may_take_a_protocol_for_themselves(equipe):
    protocolo = abrir()
    outro = AtendenteFactory()

    services.protocolo_atribuir(protocolo=protocolo, responsavel=outro, autor=outro)

    assert Protocolo.objects.get(pk=protocolo.pk).responsavel == outro


@pytest.mark.parametrize("quem", ["sem_grupo", "inativo"])
def test_it_refuses_assigning_to_someone_outside_the_team(equipe, quem):
    fora = UsuarioFactory() if quem == "sem_grupo" else AtendenteFactory(is_active=False)
    protocolo = aberto(equipe)
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match="não faz parte do atendimento"):
        services.protocolo_atribuir(protocolo=protocolo, responsavel=fora, autor=equipe.supervisor)

    assert retrato(protocolo) == antes


def test_it_refuses_assigning_to_the_current_responsavel(equipe):
    protocolo = aberto(equipe)
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match="já está com esse responsável"):
        services.protocolo_atribuir(protocolo=protocolo, responsavel=equipe.atendente, autor=equipe.atendente)

    assert retrato(protocolo) == antes


def test_a_user_removed_from_the_group_loses_the_permission(equipe):
    protocolo = aberto(equipe)
    supervisor = equipe.supervisor
    supervisor.groups.set([Group.objects.get(name=ATENDENTES)])
    supervisor = type(supervisor).objects.get(pk=supervisor.pk)  # a fresh permission cache

    with pytest.raises(PermissaoNegada):
        cancelar(protocolo, supervisor)


# Deadline extension -------------------------------------------------------------------------------


@pytest.mark.parametrize("novo_prazo", [PRAZO, PRAZO - datetime.timedelta(days=1), datetime.date(2026, 1, 1)])
def test_it_refuses_extending_to_a_date_not_after_the_current_prazo(equipe, novo_prazo):
    protocolo = aberto(equipe)
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match="depois de 11/03/2026"):
        services.protocolo_prorrogar_prazo(
            protocolo=protocolo, novo_prazo=novo_prazo, motivo="Mais tempo.", autor=equipe.supervisor
        )

    assert retrato(protocolo) == antes


def test_a_protocol_without_categoria_has_a_deadline_a_supervisor_may_extend(equipe, na_quarta):
    protocolo = abrir(atendente=equipe.atendente, categoria_codigo=None)
    assert protocolo.prazo is not None  # the 7 days from the opening (docs/dominio.md §4)

    prorrogar(protocolo, equipe.supervisor)

    protocolo.refresh_from_db()
    assert protocolo.prazo == datetime.date(2026, 3, 20)


def test_the_day_after_the_prazo_is_a_valid_extension(equipe):
    protocolo = aberto(equipe)

    services.protocolo_prorrogar_prazo(
        protocolo=protocolo, novo_prazo=PRAZO + datetime.timedelta(days=1), motivo="Um dia.", autor=equipe.supervisor
    )

    assert Protocolo.objects.get(pk=protocolo.pk).prazo == datetime.date(2026, 3, 12)


# Categoria ----------------------------------------------------------------------------------------


def test_it_refuses_an_inactive_categoria(equipe):
    protocolo = abrir(atendente=equipe.atendente, categoria_codigo=None)
    inativa = categoria("cobranca")
    inativa.ativa = False
    inativa.save()
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match="não está mais em uso"):
        services.protocolo_definir_categoria(protocolo=protocolo, categoria=inativa, autor=equipe.atendente)

    assert retrato(protocolo) == antes


def test_it_refuses_setting_the_same_categoria_again(equipe):
    protocolo = aberto(equipe)
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match="já está na categoria"):
        services.protocolo_definir_categoria(
            protocolo=protocolo, categoria=categoria("reclamacao"), autor=equipe.atendente
        )

    assert retrato(protocolo) == antes


def test_it_refuses_identifying_the_same_consumer_again(equipe):
    protocolo = aberto(equipe)
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match="já está identificado"):
        services.protocolo_identificar_consumidor(
            protocolo=protocolo, consumidor=protocolo.consumidor, autor=equipe.atendente
        )

    assert retrato(protocolo) == antes


# Duplicates ---------------------------------------------------------------------------------------


def _de_si_mesmo(equipe, protocolo):
    return protocolo


def _de_um_duplicado(equipe, protocolo):
    original, duplicado = aberto(equipe), aberto(equipe)
    services.protocolo_marcar_duplicado(protocolo=duplicado, original=original, autor=equipe.atendente)
    return duplicado


def _de_um_cancelado(equipe, protocolo):
    cancelado = aberto(equipe)
    services.protocolo_cancelar(protocolo=cancelado, motivo="Engano.", autor=equipe.supervisor)
    return cancelado


@pytest.mark.parametrize(
    ("original", "mensagem"),
    [
        (_de_si_mesmo, "de si mesmo"),
        (_de_um_duplicado, "já é duplicado de outro"),
        (_de_um_cancelado, "foi cancelado"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_it_refuses_a_bad_original(equipe, original, mensagem):
    protocolo = aberto(equipe)
    alvo = original(equipe, protocolo)
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match=mensagem):
        services.protocolo_marcar_duplicado(protocolo=protocolo, original=alvo, autor=equipe.atendente)

    assert retrato(protocolo) == antes


def test_it_refuses_turning_an_original_into_a_duplicate(equipe):
    original, duplicado, terceiro = aberto(equipe), aberto(equipe), aberto(equipe)
    services.protocolo_marcar_duplicado(protocolo=duplicado, original=original, autor=equipe.atendente)
    antes = retrato(original)

    with pytest.raises(DadosInvalidos, match="apontam para este como original"):
        services.protocolo_marcar_duplicado(protocolo=original, original=terceiro, autor=equipe.atendente)

    assert retrato(original) == antes


def test_two_protocols_cannot_be_duplicates_of_each_other(equipe):
    um, outro = aberto(equipe), aberto(equipe)
    services.protocolo_marcar_duplicado(protocolo=um, original=outro, autor=equipe.atendente)
    antes = retrato(outro)

    with pytest.raises(DadosInvalidos):
        services.protocolo_marcar_duplicado(protocolo=outro, original=um, autor=equipe.atendente)

    assert retrato(outro) == antes


# Texts --------------------------------------------------------------------------------------------


# (name, how the protocol must be, the call with the text)
COM_TEXTO = [
    ("objeto", aberto, lambda p, t, eq: services.protocolo_registrar_objeto(protocolo=p, objeto=t, autor=eq.atendente)),
    (
        "nota",
        aberto,
        lambda p, t, eq: services.protocolo_registrar_interacao(protocolo=p, texto=t, autor=eq.atendente),
    ),
    (
        "resposta",
        aberto,
        lambda p, t, eq: services.protocolo_registrar_interacao(protocolo=p, texto=t, autor=eq.atendente, publica=True),
    ),
    (
        "mensagem_do_consumidor",
        aberto,
        lambda p, t, eq: services.protocolo_registrar_interacao(protocolo=p, texto=t, origem=CONSUMIDOR),
    ),
    ("escalar", aberto, lambda p, t, eq: services.protocolo_escalar(protocolo=p, motivo=t, autor=eq.atendente)),
    ("resolver", aberto, lambda p, t, eq: services.protocolo_resolver(protocolo=p, texto=t, autor=eq.atendente)),
    ("reabrir", resolvido, lambda p, t, eq: services.protocolo_reabrir(protocolo=p, motivo=t, origem=CONSUMIDOR)),
    ("cancelar", aberto, lambda p, t, eq: services.protocolo_cancelar(protocolo=p, motivo=t, autor=eq.supervisor)),
    (
        "prorrogar",
        aberto,
        lambda p, t, eq: services.protocolo_prorrogar_prazo(
            protocolo=p, novo_prazo=datetime.date(2026, 4, 1), motivo=t, autor=eq.supervisor
        ),
    ),
]
RUINS = [
    ("", "Preencha o"),
    ("  \n\t ", "Preencha o"),
    (None, "Preencha o"),
    ("antes\x00depois", "contém um caractere inválido"),
    ("x" * 20_001, "passa de 20.000 caracteres"),
]


@pytest.mark.parametrize(("nome", "estado", "chamar"), COM_TEXTO, ids=[c[0] for c in COM_TEXTO])
@pytest.mark.parametrize(("texto", "mensagem"), RUINS, ids=["vazio", "espacos", "none", "nul", "longo"])
def test_it_refuses_a_missing_or_bad_text(equipe, nome, estado, chamar, texto, mensagem):
    protocolo = estado(equipe)
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match=mensagem):
        chamar(protocolo, texto, equipe)

    assert retrato(protocolo) == antes


@pytest.mark.parametrize(("nome", "estado", "chamar"), COM_TEXTO, ids=[c[0] for c in COM_TEXTO])
def test_a_text_of_exactly_twenty_thousand_characters_is_accepted(equipe, nome, estado, chamar):
    protocolo = estado(equipe)
    texto = "x" * 20_000

    chamar(protocolo, f"  {texto}  ", equipe)

    assert protocolo.interacoes.order_by("-ordem").first().texto == texto


@pytest.mark.parametrize(("texto", "mensagem"), RUINS[3:], ids=["nul", "longo"])
def test_the_optional_text_of_a_situacao_change_is_still_checked(equipe, texto, mensagem):
    protocolo = aberto(equipe)
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match=mensagem):
        services.protocolo_mudar_situacao(
            protocolo=protocolo, situacao="em_atendimento", autor=equipe.atendente, texto=texto
        )

    assert retrato(protocolo) == antes


# Reassignment and deadlines moved through the categoria -------------------------------------------


def test_an_attendant_cannot_take_a_colleagues_protocol(equipe):
    protocolo = aberto(equipe)
    colega = AtendenteFactory()
    antes = retrato(protocolo)

    with pytest.raises(PermissaoNegada, match="está com outra pessoa"):
        services.protocolo_atribuir(protocolo=protocolo, responsavel=colega, autor=colega)

    assert retrato(protocolo) == antes


def test_an_attendant_cannot_release_a_colleagues_protocol(equipe):
    protocolo = aberto(equipe)

    with pytest.raises(PermissaoNegada):
        services.protocolo_atribuir(protocolo=protocolo, responsavel=None, autor=AtendenteFactory())


def test_an_attendant_releases_their_own_protocol_and_a_colleague_then_takes_it(equipe):
    protocolo = services.protocolo_atribuir(protocolo=aberto(equipe), responsavel=None, autor=equipe.atendente)
    colega = AtendenteFactory()

    protocolo = services.protocolo_atribuir(protocolo=protocolo, responsavel=colega, autor=colega)

    assert protocolo.responsavel == colega


def test_a_supervisor_reassigns_a_protocol_held_by_someone_else(equipe):
    colega = AtendenteFactory()

    protocolo = services.protocolo_atribuir(protocolo=aberto(equipe), responsavel=colega, autor=equipe.supervisor)

    assert protocolo.responsavel == colega


def test_an_attendant_changing_the_categoria_never_moves_the_deadline_later(equipe):
    protocolo = aberto(equipe)

    protocolo = services.protocolo_definir_categoria(
        protocolo=protocolo, categoria=categoria("lgpd"), autor=equipe.atendente
    )

    assert protocolo.prazo == PRAZO


def test_a_supervisor_changing_the_categoria_moves_the_deadline_to_the_new_rule(equipe):
    protocolo = aberto(equipe)

    protocolo = services.protocolo_definir_categoria(
        protocolo=protocolo, categoria=categoria("lgpd"), autor=equipe.supervisor
    )

    assert protocolo.prazo == datetime.date(2026, 3, 19)


def test_a_shorter_categoria_does_not_undo_a_supervisors_extension(equipe):
    protocolo = aberto(equipe)
    estendido = datetime.date(2026, 3, 20)
    services.protocolo_prorrogar_prazo(
        protocolo=protocolo, novo_prazo=estendido, motivo="Aguardando laudo.", autor=equipe.supervisor
    )

    protocolo = services.protocolo_definir_categoria(
        protocolo=protocolo, categoria=categoria("cancelamento"), autor=equipe.atendente
    )

    assert protocolo.prazo == estendido


def test_a_shorter_categoria_without_an_extension_brings_the_deadline_earlier(equipe):
    protocolo = services.protocolo_definir_categoria(
        protocolo=aberto(equipe), categoria=categoria("cancelamento"), autor=equipe.atendente
    )

    assert protocolo.prazo == QUARTA.date()


def test_an_anonymised_consumer_can_neither_open_nor_join_a_protocol(equipe):
    consumidor = ConsumidorFactory()
    Consumidor.objects.filter(pk=consumidor.pk).update(cpf=None, nome="Titular anonimizado", anonimizado_em=QUARTA)
    protocolo = aberto(equipe)
    antes = retrato(protocolo)

    with pytest.raises(DadosInvalidos, match="anonimizados"):
        abrir(atendente=equipe.atendente, consumidor=consumidor)
    with pytest.raises(DadosInvalidos, match="anonimizados"):
        services.protocolo_identificar_consumidor(protocolo=protocolo, consumidor=consumidor, autor=equipe.atendente)

    assert retrato(protocolo) == antes
    assert not Protocolo.objects.filter(consumidor=consumidor).exists()
