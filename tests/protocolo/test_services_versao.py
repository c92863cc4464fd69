"""Stale forms: `versao` read with the page and sent back with the form. A change made since is
never silently undone; the refusal names who made it. Interactions never make a form stale."""

import datetime

import pytest

from protocolo import services
from protocolo.exceptions import VersaoDesatualizada
from protocolo.models import Protocolo
from tests.factories import AtendenteFactory, ConsumidorFactory, abrir, categoria
from tests.protocolo.apoio import retrato

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("na_quarta")]

CONSUMIDOR = services.Origem.CONSUMIDOR


def aberto(equipe):
    return abrir(atendente=equipe.atendente, consumidor=ConsumidorFactory())


def resolvido(equipe):
    protocolo = aberto(equipe)
    return services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=equipe.atendente)


# Stale forms --------------------------------------------------------------------------------------


# (name, how the protocol must be, the call with a versao); each also succeeds after an extension.
COM_VERSAO = [
    (
        "identificar",
        aberto,
        lambda p, v, eq: services.protocolo_identificar_consumidor(
            protocolo=p, consumidor=ConsumidorFactory(), autor=eq.atendente, versao=v
        ),
    ),
    (
        "categoria",
        aberto,
        lambda p, v, eq: services.protocolo_definir_categoria(
            protocolo=p, categoria=categoria("cobranca"), autor=eq.atendente, versao=v
        ),
    ),
    (
        "mudar",
        aberto,
        lambda p, v, eq: services.protocolo_mudar_situacao(
            protocolo=p, situacao="em_atendimento", autor=eq.atendente, versao=v
        ),
    ),
    (
        "atribuir",
        aberto,
        lambda p, v, eq: services.protocolo_atribuir(protocolo=p, responsavel=None, autor=eq.atendente, versao=v),
    ),
    (
        "escalar",
        aberto,
        lambda p, v, eq: services.protocolo_escalar(protocolo=p, motivo="Demora.", autor=eq.atendente, versao=v),
    ),
    (
        "resolver",
        aberto,
        lambda p, v, eq: services.protocolo_resolver(protocolo=p, texto="Feito.", autor=eq.atendente, versao=v),
    ),
    (
        "reabrir",
        resolvido,
        lambda p, v, eq: services.protocolo_reabrir(protocolo=p, motivo="Não veio.", autor=eq.atendente, versao=v),
    ),
    (
        "cancelar",
        aberto,
        lambda p, v, eq: services.protocolo_cancelar(protocolo=p, motivo="Engano.", autor=eq.supervisor, versao=v),
    ),
    (
        "duplicar",
        aberto,
        lambda p, v, eq: services.protocolo_marcar_duplicado(
            protocolo=p, original=abrir(), autor=eq.atendente, versao=v
        ),
    ),
    (
        "prorrogar",
        aberto,
        lambda p, v, eq: services.protocolo_prorrogar_prazo(
            protocolo=p, novo_prazo=datetime.date(2026, 4, 1), motivo="Mais tempo.", autor=eq.supervisor, versao=v
        ),
    ),
]
IDS_VERSAO = [c[0] for c in COM_VERSAO]


def _outra_pessoa_prorroga(protocolo, supervisor):
    return services.protocolo_prorrogar_prazo(
        protocolo=protocolo, novo_prazo=datetime.date(2026, 3, 13), motivo="Feriado local.", autor=supervisor
    )


@pytest.mark.parametrize(("nome", "estado", "chamar"), COM_VERSAO, ids=IDS_VERSAO)
def test_a_stale_form_is_refused_naming_who_changed_the_protocol(equipe, nome, estado, chamar):
    protocolo = estado(equipe)
    lida = protocolo.versao
    _outra_pessoa_prorroga(protocolo, equipe.supervisor)
    antes = retrato(protocolo)

    with pytest.raises(VersaoDesatualizada) as erro:
        chamar(protocolo, lida, equipe)

    assert str(erro.value) == (
        f"Este protocolo foi alterado por {equipe.supervisor.get_full_name()} às 10:00 (prorrogação de prazo) "
        "depois que você abriu a página. Confira a situação atual e envie de novo."
    )
    assert erro.value.atual.versao == lida + 1
    assert retrato(protocolo) == antes


@pytest.mark.parametrize(("nome", "estado", "chamar"), COM_VERSAO, ids=IDS_VERSAO)
def test_the_current_versao_passes(equipe, nome, estado, chamar):
    protocolo = estado(equipe)
    protocolo = _outra_pessoa_prorroga(protocolo, equipe.supervisor)

    chamar(protocolo, str(protocolo.versao), equipe)  # as a form posts it

    assert Protocolo.objects.get(pk=protocolo.pk).versao == protocolo.versao + 1


def test_the_stale_form_message_ignores_later_entries_that_do_not_change_the_version(equipe):
    protocolo = aberto(equipe)
    lida = protocolo.versao
    _outra_pessoa_prorroga(protocolo, equipe.supervisor)
    outro = AtendenteFactory()
    services.protocolo_registrar_objeto(protocolo=protocolo, objeto="Detalhe.", autor=outro)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Nota.", autor=outro)
    services.protocolo_enviar_numero(protocolo=protocolo, autor=outro)

    with pytest.raises(VersaoDesatualizada, match=f"alterado por {equipe.supervisor.get_full_name()} "):
        services.protocolo_mudar_situacao(protocolo=protocolo, situacao="em_atendimento", versao=lida)


def test_a_stale_form_after_a_change_by_the_system_says_so(equipe):
    protocolo = aberto(equipe)
    lida = protocolo.versao
    services.protocolo_escalar(protocolo=protocolo, motivo="Prazo vencido.")

    with pytest.raises(
        VersaoDesatualizada, match="alterado pelo sistema ou pelo consumidor às 10:00 \\(escalonamento\\)"
    ):
        services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=equipe.atendente, versao=lida)


def test_interactions_never_make_a_form_stale(equipe):
    protocolo = aberto(equipe)
    lida = protocolo.versao
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Nota.", autor=equipe.atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Oi?", origem=CONSUMIDOR)
    services.protocolo_registrar_objeto(protocolo=protocolo, objeto="Detalhe.", autor=equipe.atendente)

    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=equipe.atendente, versao=lida)

    assert Protocolo.objects.get(pk=protocolo.pk).situacao == "resolvido"
