"""Supervisors keep the subscriptions in the admin, see every attempt of every delivery, resend a
delivery and resume a paused subscription."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from protocolo.models import AssinaturaWebhook, EntregaWebhook
from protocolo.webhooks import entrega
from tests.factories import abrir

from .conftest import NOME, assinar, criar_sistema

pytestmark = pytest.mark.django_db
CAMPOS = ["numero", "status", "latencia_ms"]
# session, user, the second factor's device, user permissions, group permissions, the limited count,
# the page of deliveries with their protocol, subscription and system
QUERIES_ENTREGAS = 7
# the same five, the filtered and the full count (a small table, counted whole), the page of
# subscriptions with their system
QUERIES_ASSINATURAS = 8


@pytest.fixture
def cliente(client, supervisor):
    client.force_login(supervisor)
    return client


def _mensagens(resposta):
    return [str(m) for m in get_messages(resposta.wsgi_request)]


def _nova(cliente, **dados):
    return cliente.post(reverse("admin:protocolo_assinaturawebhook_add"), dados, follow=True)


def test_a_supervisor_subscribes_a_system_to_events(cliente):
    sistema = criar_sistema("CRM")

    resposta = _nova(
        cliente,
        sistema=sistema.pk,
        url="https://crm.exemplo.com.br/webhooks",
        eventos=["protocolo.resolvido", "protocolo.aberto"],
        ativa="on",
    )

    assert resposta.status_code == 200
    assinatura = AssinaturaWebhook.objects.get()
    assert assinatura.eventos == ["protocolo.aberto", "protocolo.resolvido"]
    assert assinatura.segredo.startswith("whsec_")
    pagina = cliente.get(reverse("admin:protocolo_assinaturawebhook_change", args=[assinatura.pk]))
    assert assinatura.segredo in pagina.content.decode()


@pytest.mark.parametrize(
    ("url", "erro"),
    [
        ("http://crm.exemplo.com.br/webhooks", "Só URLs https:// são aceitas."),
        ("https://usuario:senha@crm.exemplo.com.br/", "A URL não pode levar usuário e senha."),
    ],
)
def test_an_url_that_is_not_plain_https_is_refused_in_portuguese(cliente, url, erro):
    sistema = criar_sistema("CRM")

    resposta = _nova(cliente, sistema=sistema.pk, url=url, eventos=["protocolo.aberto"], ativa="on")

    assert erro in resposta.content.decode()
    assert not AssinaturaWebhook.objects.exists()


def test_a_system_without_the_webhooks_scope_cannot_subscribe(cliente):
    sistema = criar_sistema("URA", escopos=["protocolos:abrir"])

    resposta = _nova(
        cliente, sistema=sistema.pk, url="https://ura.exemplo.com.br/", eventos=["protocolo.aberto"], ativa="on"
    )

    assert "não tem o escopo “webhooks”" in resposta.content.decode()
    assert not AssinaturaWebhook.objects.exists()


def test_every_attempt_is_shown_with_its_status_latency_and_first_bytes(cliente, rede_de_teste, receptores):
    receptor = receptores(modos=["erro", "ok"])
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    abrir()
    evento = assinatura.entregas.get()
    entrega.tentar(evento, resolvedor=lambda host, porta: ["127.0.0.1"])
    entrega.tentar(evento, resolvedor=lambda host, porta: ["127.0.0.1"])

    pagina = cliente.get(reverse("admin:protocolo_entregawebhook_change", args=[evento.pk])).content.decode()

    celulas = {campo: re.findall(rf'class="field-{campo}">\s*<p>(\d+)</p>', pagina) for campo in CAMPOS}
    tentativas = evento.registro_de_tentativas.order_by("numero")
    assert celulas == {
        "numero": ["1", "2"],
        "status": ["500", "200"],
        "latencia_ms": [str(t.latencia_ms) for t in tentativas],
    }
    assert "falhou" in pagina and "recebido" in pagina and "HTTP 500" in pagina
    assert evento.webhook_id in pagina


def test_a_supervisor_resends_a_delivery_and_it_is_recorded(cliente, supervisor):
    assinatura = assinar("https://crm.exemplo.com.br/webhooks")
    abrir()
    evento = assinatura.entregas.get()
    EntregaWebhook.objects.filter(pk=evento.pk).update(
        entregue_em=timezone.now(), tentativas=1, proxima_tentativa_em=None
    )

    resposta = cliente.post(
        reverse("admin:protocolo_entregawebhook_changelist"),
        {"action": "reenviar", "index": 0, "_selected_action": [evento.pk]},
        follow=True,
    )

    assert "1 entrega(s) agendada(s) para agora" in " ".join(_mensagens(resposta))
    evento.refresh_from_db()
    assert not evento.entregue and evento.tentativas == 0 and evento.proxima_tentativa_em <= timezone.now()
    assert evento in entrega.devidas(timezone.now())
    registro = LogEntry.objects.get(object_id=str(evento.pk))
    assert (registro.user, registro.get_change_message()) == (supervisor, "Reenvio agendado.")


def test_a_supervisor_resumes_a_paused_subscription(cliente):
    assinatura = assinar("https://crm.exemplo.com.br/webhooks")
    abrir()
    AssinaturaWebhook.objects.filter(pk=assinatura.pk).update(pausada_em=timezone.now())
    EntregaWebhook.objects.filter(assinatura=assinatura).update(tentativas=9, proxima_tentativa_em=None)
    assert not entrega.devidas(timezone.now()).exists()

    lista = reverse("admin:protocolo_assinaturawebhook_changelist")
    assert "pausada desde" in cliente.get(lista).content.decode()
    resposta = cliente.post(lista, {"action": "retomar", "index": 0, "_selected_action": [assinatura.pk]}, follow=True)

    assert "1 assinatura(s) retomada(s)" in " ".join(_mensagens(resposta))
    assinatura.refresh_from_db()
    assert assinatura.pausada_em is None
    assert entrega.devidas(timezone.now()).get().assinatura == assinatura


def test_nothing_is_deleted(cliente):
    assinatura = assinar("https://crm.exemplo.com.br/webhooks")
    abrir()
    evento = assinatura.entregas.get()

    assert cliente.post(reverse("admin:protocolo_assinaturawebhook_delete", args=[assinatura.pk])).status_code == 403
    assert cliente.post(reverse("admin:protocolo_entregawebhook_delete", args=[evento.pk])).status_code == 403
    assert AssinaturaWebhook.objects.count() == EntregaWebhook.objects.count() == 1


@pytest.mark.parametrize("quantidade", [1, 25])
def test_the_lists_query_count_does_not_grow_with_the_rows(cliente, django_assert_num_queries, quantidade):
    assinar("https://crm.exemplo.com.br/webhooks")
    for _ in range(quantidade):
        abrir()

    with django_assert_num_queries(QUERIES_ENTREGAS) as consultas:
        resposta = cliente.get(reverse("admin:protocolo_entregawebhook_changelist"))
    assert resposta.status_code == 200
    [contagem] = [q["sql"] for q in consultas.captured_queries if "COUNT(" in q["sql"]]
    assert "LIMIT 10001" in contagem

    with django_assert_num_queries(QUERIES_ASSINATURAS):
        assert cliente.get(reverse("admin:protocolo_assinaturawebhook_changelist")).status_code == 200
