"""
The admin's actions: each asks on a confirmation page what its service needs, then calls the same
service as the back-office for every selected protocol, and says which succeeded and which were
refused, and why.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from protocolo import relogio, services
from protocolo.models import Interacao, Protocolo, Situacao
from tests.factories import AtendenteFactory, UsuarioFactory, abrir

pytestmark = pytest.mark.django_db

Tipo = Interacao.Tipo


def _lista():
    return reverse("admin:protocolo_protocolo_changelist")


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


def _escolher(cliente, acao, protocolos, **dados):
    """The first POST: the action chosen on the list, answered with the confirmation page."""
    return cliente.post(_lista(), {"action": acao, "index": 0, "_selected_action": [p.pk for p in protocolos], **dados})


def _confirmar(cliente, acao, protocolos, **dados):
    """The confirmation page's POST: the action runs, then back to the list."""
    return cliente.post(
        _lista(),
        {"action": acao, "_selected_action": [p.pk for p in protocolos], "confirmar": "1", **dados},
        follow=True,
    )


def _mensagens(resposta):
    return [str(m) for m in get_messages(resposta.wsgi_request)] or [str(m) for m in resposta.context["messages"]]


def _recarregar(protocolo):
    return Protocolo.objects.get(pk=protocolo.pk)


# Assign -------------------------------------------------------------------------------------------


def test_assigning_asks_for_the_attendant_among_active_attendants_only(cliente_supervisor):
    ativo = AtendenteFactory(first_name="Alice", last_name="Atendente")
    inativo = AtendenteFactory(first_name="Inácio", last_name="Inativo", is_active=False)
    sem_grupo = UsuarioFactory(first_name="Nilo", last_name="Nenhum")
    protocolo = abrir()

    resposta = _escolher(cliente_supervisor, "atribuir", [protocolo])

    assert resposta.status_code == 200
    assert "Atribuir protocolos" in resposta.text
    assert protocolo.numero_formatado in resposta.text
    escolhas = set(resposta.context["form"].fields["responsavel"].queryset)
    assert ativo in escolhas
    assert inativo not in escolhas
    assert sem_grupo not in escolhas
    assert _recarregar(protocolo).responsavel is None


def test_assigning_two_protocols_records_who_did_it(cliente_supervisor, supervisor):
    alice = AtendenteFactory(first_name="Alice", last_name="Atendente")
    primeiro, segundo = abrir(), abrir()

    resposta = _confirmar(cliente_supervisor, "atribuir", [primeiro, segundo], responsavel=alice.pk)

    assert resposta.status_code == 200
    for protocolo in (primeiro, segundo):
        assert _recarregar(protocolo).responsavel == alice
        entrada = protocolo.interacoes.order_by("-ordem").first()
        assert (entrada.tipo, entrada.autor, entrada.detalhes["para"]) == (Tipo.ATRIBUICAO, supervisor, alice.pk)
    [mensagem] = _mensagens(resposta)
    assert mensagem.startswith("Atribuído(s) a Alice Atendente:")
    assert primeiro.numero_formatado in mensagem and segundo.numero_formatado in mensagem


def test_assigning_says_which_protocols_were_refused_and_why(cliente_supervisor, supervisor):
    alice = AtendenteFactory()
    aberto, cancelado = abrir(), abrir()
    services.protocolo_cancelar(protocolo=cancelado, motivo="Teste.", autor=supervisor)

    resposta = _confirmar(cliente_supervisor, "atribuir", [aberto, cancelado], responsavel=alice.pk)

    mensagens = _mensagens(resposta)
    assert any(aberto.numero_formatado in m and m.startswith("Atribuído") for m in mensagens)
    assert any(m.startswith(f"Não foi possível: {cancelado.numero_formatado}") and "cancelado" in m for m in mensagens)
    assert _recarregar(cancelado).responsavel is None


def test_an_attendant_who_is_not_offered_cannot_be_posted(cliente_supervisor):
    intruso = UsuarioFactory()
    protocolo = abrir()

    resposta = _confirmar(cliente_supervisor, "atribuir", [protocolo], responsavel=intruso.pk)

    assert "responsavel" in resposta.context["form"].errors
    assert _recarregar(protocolo).responsavel is None


# Escalate, resolve, cancel, extend ----------------------------------------------------------------


def test_escalating_asks_for_a_reason_and_records_it(cliente_supervisor, supervisor):
    protocolo = abrir()

    sem_motivo = _confirmar(cliente_supervisor, "escalar", [protocolo], motivo="")
    assert "motivo" in sem_motivo.context["form"].errors
    assert _recarregar(protocolo).nivel == 1

    _confirmar(cliente_supervisor, "escalar", [protocolo], motivo="Valor acima da alçada.")

    entrada = protocolo.interacoes.order_by("-ordem").first()
    assert _recarregar(protocolo).nivel == 2
    assert (entrada.tipo, entrada.texto, entrada.autor) == (Tipo.ESCALONAMENTO, "Valor acima da alçada.", supervisor)


def test_escalating_past_the_ombudsman_is_refused_with_the_reason(cliente_supervisor, supervisor):
    protocolo = abrir()
    for _ in range(2):
        services.protocolo_escalar(protocolo=protocolo, motivo="Subindo.", autor=supervisor)

    resposta = _confirmar(cliente_supervisor, "escalar", [protocolo], motivo="De novo.")

    assert any("último nível" in m for m in _mensagens(resposta))
    assert _recarregar(protocolo).nivel == 3


def test_resolving_answers_the_consumer(cliente_supervisor, supervisor):
    protocolo = abrir()

    _confirmar(cliente_supervisor, "resolver", [protocolo], texto="Estornamos o valor.")

    protocolo = _recarregar(protocolo)
    assert protocolo.situacao == Situacao.RESOLVIDO
    assert protocolo.interacoes.order_by("-ordem").first().texto == "Estornamos o valor."


def test_cancelling_needs_a_reason_and_refuses_a_final_protocol(cliente_supervisor, supervisor):
    aberto, resolvido = abrir(), abrir()
    services.protocolo_resolver(protocolo=resolvido, texto="Feito.")
    services.protocolo_encerrar(protocolo=resolvido, origem=Interacao.Origem.CONSUMIDOR)

    resposta = _confirmar(cliente_supervisor, "cancelar", [aberto, resolvido], motivo="Aberto por engano.")

    assert _recarregar(aberto).situacao == Situacao.CANCELADO
    assert _recarregar(resolvido).situacao == Situacao.ENCERRADO
    assert any(resolvido.numero_formatado in m and "Não é possível" in m for m in _mensagens(resposta))


def test_extending_the_deadline_asks_for_the_date_and_reason(cliente_supervisor, supervisor):
    protocolo = abrir()
    novo = _recarregar(protocolo).prazo + datetime.timedelta(days=5)

    resposta = _confirmar(
        cliente_supervisor, "prorrogar", [protocolo], novo_prazo=novo.isoformat(), motivo="Aguardando laudo técnico."
    )

    assert _recarregar(protocolo).prazo == novo
    assert any(f"Prazo prorrogado para {novo:%d/%m/%Y}" in m for m in _mensagens(resposta))
    entrada = protocolo.interacoes.order_by("-ordem").first()
    assert (entrada.tipo, entrada.autor) == (Tipo.PRORROGACAO, supervisor)


def test_extending_to_an_earlier_date_is_refused_by_the_service(cliente_supervisor):
    protocolo = abrir()
    prazo = _recarregar(protocolo).prazo

    resposta = _confirmar(
        cliente_supervisor,
        "prorrogar",
        [protocolo],
        novo_prazo=(relogio.hoje() + datetime.timedelta(days=1)).isoformat(),
        motivo="Mais tempo.",
    )

    assert _recarregar(protocolo).prazo == prazo
    assert any("O novo prazo deve ser depois de" in m for m in _mensagens(resposta))


# Who may --------------------------------------------------------------------------------------------


def test_a_staff_member_without_the_permission_cannot_run_an_action(client, db):
    from django.contrib.auth.models import Permission

    usuario = UsuarioFactory(is_staff=True)
    usuario.user_permissions.add(Permission.objects.get(codename="view_protocolo"))
    client.force_login(usuario)
    protocolo = abrir()

    client.post(
        _lista(),
        {"action": "cancelar", "_selected_action": [protocolo.pk], "confirmar": "1", "motivo": "Sem permissão."},
    )

    assert _recarregar(protocolo).situacao == Situacao.ABERTO


def test_a_get_never_runs_an_action(cliente_supervisor):
    protocolo = abrir()

    cliente_supervisor.get(
        _lista(), {"action": "cancelar", "_selected_action": protocolo.pk, "confirmar": "1", "motivo": "GET."}
    )

    assert _recarregar(protocolo).situacao == Situacao.ABERTO


@pytest.mark.parametrize("modelo", ["protocolo", "consumidor"])
@pytest.mark.parametrize("selecionado", ["abc", "1\x00", "１"])
def test_a_forged_selection_is_refused_with_a_message_not_a_500(cliente_supervisor, modelo, selecionado):
    protocolo = abrir()
    acao = "cancelar" if modelo == "protocolo" else "anonimizar"
    lista = reverse(f"admin:protocolo_{modelo}_changelist")

    resposta = cliente_supervisor.post(
        lista, {"action": acao, "_selected_action": [selecionado], "confirmar": "1", "motivo": "Forjado."}, follow=True
    )

    assert resposta.status_code == 200
    assert any("Seleção inválida" in m for m in _mensagens(resposta))
    assert _recarregar(protocolo).situacao == Situacao.ABERTO
