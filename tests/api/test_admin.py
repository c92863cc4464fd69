"""Supervisors register integrated systems and handle their tokens in the admin."""

import re

import pytest
from django.urls import reverse

from protocolo.models import Credencial, SistemaIntegrado
from tests.api.apoio import ClienteApi, sistema
from tests.factories import AtendenteFactory, abrir

pytestmark = pytest.mark.django_db


def test_a_supervisor_registers_a_system_and_gets_its_token_once(client, supervisor):
    client.force_login(supervisor)

    resposta = client.post(
        reverse("admin:protocolo_sistemaintegrado_add"),
        {
            "nome": "URA",
            "escopos": ["protocolos:abrir", "protocolos:ler"],
            "enderecos_permitidos": "10.0.0.0/8\n127.0.0.1",
            "responsavel": supervisor.pk,
        },
    )

    sistema_ = SistemaIntegrado.objects.get(nome="URA")
    tokens = reverse("admin:protocolo_sistemaintegrado_tokens", args=[sistema_.pk])
    assert resposta.status_code == 302 and resposta.url == tokens
    assert sistema_.escopos == ["protocolos:abrir", "protocolos:ler"]
    assert sistema_.enderecos_permitidos == ["10.0.0.0/8", "127.0.0.1/32"]
    assert sistema_.usuario.has_perm("protocolo.view_protocolo")

    pagina = client.post(tokens, {"acao": "criar"})
    valor = re.search(r'<code id="token">([^<]+)</code>', pagina.content.decode())[1]
    assert "no-store" in pagina["Cache-Control"]
    assert ClienteApi(valor).get(f"/api/v1/protocolos/{abrir().numero}/").status_code == 200
    assert valor not in client.get(tokens).content.decode()
    assert Credencial.objects.get().prefixo in client.get(tokens).content.decode()


def test_a_supervisor_revokes_a_token(client, supervisor):
    client.force_login(supervisor)
    sistema_ = sistema(responsavel=supervisor)
    tokens = reverse("admin:protocolo_sistemaintegrado_tokens", args=[sistema_.pk])
    client.post(tokens, {"acao": "criar"})
    credencial = sistema_.credenciais.get()

    resposta = client.post(tokens, {"acao": "revogar", "credencial": str(credencial.pk)})

    assert resposta.status_code == 200
    credencial.refresh_from_db()
    assert credencial.revogada_em is not None
    assert "revogado em" in resposta.content.decode()


def test_a_bad_address_is_refused_in_the_form(client, supervisor):
    client.force_login(supervisor)

    resposta = client.post(
        reverse("admin:protocolo_sistemaintegrado_add"),
        {
            "nome": "CRM",
            "escopos": ["protocolos:ler"],
            "enderecos_permitidos": "999.1.1.1",
            "responsavel": supervisor.pk,
        },
    )

    assert resposta.status_code == 200
    assert "Endereço inválido" in resposta.content.decode()
    assert not SistemaIntegrado.objects.exists()


def test_deactivating_a_system_withdraws_its_permissions(client, supervisor):
    client.force_login(supervisor)
    sistema_ = sistema(responsavel=supervisor)

    client.post(
        reverse("admin:protocolo_sistemaintegrado_change", args=[sistema_.pk]),
        {"escopos": sistema_.escopos, "enderecos_permitidos": "", "responsavel": supervisor.pk},
    )

    sistema_.refresh_from_db()
    assert not sistema_.ativo
    assert not sistema_.usuario.user_permissions.exists()


def test_an_attendant_never_reaches_the_systems(client):
    client.force_login(AtendenteFactory())

    assert client.get(reverse("admin:protocolo_sistemaintegrado_changelist")).status_code == 302
