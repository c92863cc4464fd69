"""
The actions both faces offer (atribuir, escalar, resolver, cancelar, prorrogar) take the same input
and refuse the same input with the same words, in the admin (on a selection) and in the back-office
(on one protocol): one form per action (protocolo/forms.py), and the rules the services keep.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from protocolo import relogio, services
from protocolo.forms import NINGUEM, AtribuirForm
from protocolo.models import Protocolo, Situacao
from protocolo.services import TEXTO_MAXIMO
from tests.factories import AtendenteFactory, abrir

pytestmark = pytest.mark.django_db


@pytest.fixture
def cliente(client, supervisor):
    # Supervisors reach both faces and hold every action's permission.
    client.force_login(supervisor)
    return client


def _pelo_admin(cliente, acao, protocolo, **dados):
    """The admin's confirmation page, sent for one selected protocol."""
    return cliente.post(
        reverse("admin:protocolo_protocolo_changelist"),
        {"action": acao, "_selected_action": [protocolo.pk], "confirmar": "1", **dados},
        follow=True,
    )


def _pela_retaguarda(cliente, acao, protocolo, **dados):
    """The back-office's form on the protocol's page, made on its current version."""
    protocolo.refresh_from_db()
    campos = {f"{acao}-versao": protocolo.versao} | {f"{acao}-{campo}": valor for campo, valor in dados.items()}
    return cliente.post(reverse(f"atendimento:{acao}", args=[protocolo.numero]), campos, follow=True)


def _pela_pagina_do_admin(cliente, acao, protocolo, **dados):
    """The same action offered on the protocol's own admin page."""
    return cliente.post(
        reverse("admin:protocolo_protocolo_acao", args=[protocolo.pk, acao]),
        {"action": acao, "_selected_action": [protocolo.pk], "confirmar": "1", **dados},
        follow=True,
    )


FACES = {"admin": _pelo_admin, "admin_pagina": _pela_pagina_do_admin, "retaguarda": _pela_retaguarda}


def _formulario(resposta, acao):
    """The form as the page that refused it shows it again."""
    return resposta.context["f"][acao] if "f" in resposta.context else resposta.context["form"]


def _mensagens(resposta):
    return [str(m) for m in get_messages(resposta.wsgi_request)]


def _recarregar(protocolo):
    return Protocolo.objects.get(pk=protocolo.pk)


# Texts: the services' cap, in both faces ----------------------------------------------------------


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize(
    ("acao", "campo", "situacao"),
    [
        ("resolver", "texto", Situacao.RESOLVIDO),
        ("escalar", "motivo", Situacao.ABERTO),
        ("cancelar", "motivo", Situacao.CANCELADO),
    ],
)
def test_a_3000_character_text_is_accepted_by_both_faces(cliente, face, acao, campo, situacao):
    protocolo = abrir()
    texto = ("Estornamos a cobrança em dobro e corrigimos a fatura seguinte. " * 50)[:3000].strip()
    assert len(texto) > 2000

    FACES[face](cliente, acao, protocolo, **{campo: texto})

    assert _recarregar(protocolo).situacao == situacao
    assert protocolo.interacoes.order_by("-ordem").first().texto == texto


def test_a_text_past_the_services_cap_is_refused_by_both_faces_with_the_same_message(cliente):
    longo = "x" * (TEXTO_MAXIMO + 1)
    erros = {}
    for face, enviar in FACES.items():
        protocolo = abrir()
        antes = protocolo.interacoes.count()

        resposta = enviar(cliente, "resolver", protocolo, texto=longo)

        assert resposta.status_code == 200
        assert _recarregar(protocolo).situacao == Situacao.ABERTO
        assert protocolo.interacoes.count() == antes
        erros[face] = _formulario(resposta, "resolver").errors["texto"]

    assert erros["admin"] == erros["retaguarda"]
    assert erros["admin"] == [
        f"Certifique-se de que o valor tenha no máximo {TEXTO_MAXIMO} caracteres (ele possui {TEXTO_MAXIMO + 1})."
    ]


# Extending the deadline: the service's rule, in both faces ----------------------------------------


@pytest.mark.parametrize("face", FACES)
def test_a_date_after_today_but_not_after_the_current_deadline_is_refused_by_both_faces(cliente, face):
    protocolo = abrir()
    prazo = _recarregar(protocolo).prazo
    amanha = relogio.hoje() + datetime.timedelta(days=1)
    assert amanha < prazo

    resposta = FACES[face](cliente, "prorrogar", protocolo, novo_prazo=amanha.isoformat(), motivo="Mais tempo.")

    assert _recarregar(protocolo).prazo == prazo
    recusa = f"O novo prazo deve ser depois de {prazo:%d/%m/%Y}."
    assert [m for m in _mensagens(resposta) if m.endswith(recusa)], _mensagens(resposta)


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("formato", ["%Y-%m-%d", "%d/%m/%Y"])
def test_a_date_after_the_current_deadline_is_accepted_by_both_faces_as_either_face_writes_it(
    cliente, supervisor, face, formato
):
    protocolo = abrir()
    novo = _recarregar(protocolo).prazo + datetime.timedelta(days=3)

    FACES[face](cliente, "prorrogar", protocolo, novo_prazo=novo.strftime(formato), motivo="Aguardando o laudo.")

    assert _recarregar(protocolo).prazo == novo
    entrada = protocolo.interacoes.order_by("-ordem").first()
    assert (entrada.texto, entrada.autor, entrada.detalhes["prazo_novo"]) == (
        "Aguardando o laudo.",
        supervisor,
        novo.isoformat(),
    )


# Assigning: active attendants, or back to the queue, in both faces --------------------------------


@pytest.mark.parametrize("face", FACES)
def test_nobody_returns_the_protocol_to_the_queue_in_both_faces(cliente, supervisor, face):
    alice = AtendenteFactory()
    protocolo = abrir()
    services.protocolo_atribuir(protocolo=protocolo, responsavel=alice, autor=supervisor)

    FACES[face](cliente, "atribuir", protocolo, responsavel=NINGUEM)

    assert _recarregar(protocolo).responsavel is None
    entrada = protocolo.interacoes.order_by("-ordem").first()
    assert (entrada.detalhes["de"], entrada.detalhes["para"], entrada.autor) == (alice.pk, None, supervisor)


@pytest.mark.parametrize("face", FACES)
def test_the_empty_choice_is_refused_by_both_faces_and_assigns_nobody(cliente, supervisor, face):
    alice = AtendenteFactory()
    protocolo = abrir()
    services.protocolo_atribuir(protocolo=protocolo, responsavel=alice, autor=supervisor)

    resposta = FACES[face](cliente, "atribuir", protocolo, responsavel="")

    assert _formulario(resposta, "atribuir").errors["responsavel"] == [
        "Escolha um atendente, ou “ninguém” para devolver à fila."
    ]
    assert _recarregar(protocolo).responsavel == alice


def test_the_assign_form_starts_on_nobody_picked_not_on_an_attendant_nor_on_the_queue():
    AtendenteFactory(first_name="Alice", last_name="Atendente")

    html = str(AtribuirForm()["responsavel"])

    assert html.count("selected") == 1
    assert '<option value="" selected>— escolha —</option>' in html
    assert f'<option value="{NINGUEM}">ninguém (devolver à fila)</option>' in html


def test_an_inactive_attendant_is_refused_by_both_faces_with_the_same_message(cliente):
    inativo = AtendenteFactory(is_active=False)
    erros = {}
    for face, enviar in FACES.items():
        protocolo = abrir()

        resposta = enviar(cliente, "atribuir", protocolo, responsavel=inativo.pk)

        assert resposta.status_code == 200
        assert _recarregar(protocolo).responsavel is None
        erros[face] = _formulario(resposta, "atribuir").errors["responsavel"]

    assert erros["admin"] == erros["retaguarda"]
    assert erros["admin"] == ["Faça uma escolha válida. Sua escolha não é uma das disponíveis."]
