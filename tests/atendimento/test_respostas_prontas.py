"""Canned answers (respostas prontas): kept by supervisors in the admin with every version, picked
on the protocol's page and filled by plain substitution, then edited before sending."""

import datetime
import html

import pytest
from django.db import ProgrammingError, connection, transaction
from django.urls import reverse

from protocolo.exceptions import RegistroImutavel
from protocolo.models import RespostaPronta, VersaoDeRespostaPronta
from protocolo.services import respostas
from tests.factories import ConsumidorFactory, abrir, categoria

ADICIONAR = reverse("admin:protocolo_respostapronta_add")


def url(protocolo):
    return reverse("atendimento:protocolo", args=[protocolo.numero])


def _pronta(autor, texto="Olá, {nome}.", **campos):
    return respostas.resposta_salvar(resposta=RespostaPronta(titulo="Resposta", texto=texto, **campos), autor=autor)


def _texto_da_interacao(resposta):
    return resposta.context["f"]["interacao"].initial.get("texto")


def test_a_supervisor_keeps_them_in_the_admin_and_every_save_is_a_version_with_its_author(
    cliente_supervisor, supervisor
):
    dados = {"titulo": "Prazo", "categoria": "", "texto": "Olá, {nome}.", "ativa": "on"}
    dados |= {"versoes-TOTAL_FORMS": "0", "versoes-INITIAL_FORMS": "0"}
    assert cliente_supervisor.post(ADICIONAR, dados).status_code == 302
    pronta = RespostaPronta.objects.get()
    alterar = reverse("admin:protocolo_respostapronta_change", args=[pronta.pk])
    dados |= {"texto": "Bom dia, {nome}.", "versoes-INITIAL_FORMS": "1", "versoes-TOTAL_FORMS": "1"}
    dados |= {"versoes-0-id": pronta.versoes.get().pk, "versoes-0-resposta": pronta.pk}
    assert cliente_supervisor.post(alterar, dados).status_code == 302

    versoes = list(pronta.versoes.order_by("pk").values_list("texto", "autor"))
    assert versoes == [("Olá, {nome}.", supervisor.pk), ("Bom dia, {nome}.", supervisor.pk)]
    pagina = cliente_supervisor.get(alterar)
    assert "Olá, {nome}." in pagina.text and "Bom dia, {nome}." in pagina.text


def test_a_version_is_never_changed_nor_deleted(supervisor):
    versao = _pronta(supervisor).versoes.get()

    with pytest.raises(RegistroImutavel):
        versao.save()
    with pytest.raises(RegistroImutavel):
        VersaoDeRespostaPronta.objects.all().delete()
    with pytest.raises(ProgrammingError, match="Cannot update"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE protocolo_versaoderespostapronta SET texto = 'x'")


def test_the_attendant_picks_one_and_gets_it_filled_for_the_protocol_as_a_public_answer(
    cliente_atendente, supervisor, settings
):
    settings.PROTOCOLO_EMPRESA_TELEFONE = "0800 123 4567"
    protocolo = abrir(consumidor=ConsumidorFactory(nome="Maria Conceição"))
    pronta = _pronta(supervisor, "Olá, {nome}. O protocolo {numero} vence em {prazo}. Ligue {telefone_empresa}.")

    resposta = cliente_atendente.get(url(protocolo), {"resposta": pronta.pk})

    esperado = (
        f"Olá, Maria Conceição. O protocolo {protocolo.numero_formatado} vence em "
        f"{protocolo.prazo:%d/%m/%Y}. Ligue 0800 123 4567."
    )
    assert _texto_da_interacao(resposta) == esperado
    assert html.escape(esperado, quote=False) in resposta.text
    assert resposta.context["f"]["interacao"].initial["tipo"] == "publica"


def test_template_syntax_in_a_canned_text_comes_out_literally(cliente_atendente, supervisor):
    protocolo = abrir(consumidor=ConsumidorFactory(nome="Ana"))
    texto = "{{ protocolo.consumidor.cpf }} {% now 'Y' %} {{nome}} {nome}"
    pronta = _pronta(supervisor, texto)

    resposta = cliente_atendente.get(url(protocolo), {"resposta": pronta.pk})

    assert _texto_da_interacao(resposta) == "{{ protocolo.consumidor.cpf }} {% now 'Y' %} {Ana} Ana"
    assert protocolo.consumidor.cpf not in resposta.text
    assert str(datetime.date.today().year) + " {" not in resposta.text


def test_a_value_that_looks_like_a_placeholder_is_not_replaced_again(supervisor):
    protocolo = abrir(consumidor=ConsumidorFactory(nome="{numero}"))

    assert respostas.preencher("{nome} / {numero}", protocolo) == f"{{numero}} / {protocolo.numero_formatado}"


def test_only_the_protocols_categoria_and_the_general_ones_are_offered(cliente_atendente, supervisor):
    protocolo = abrir(categoria_codigo="reclamacao")
    geral = _pronta(supervisor)
    da_categoria = respostas.resposta_salvar(
        resposta=RespostaPronta(titulo="Da reclamação", texto="R", categoria=categoria("reclamacao")), autor=supervisor
    )
    de_outra = respostas.resposta_salvar(
        resposta=RespostaPronta(titulo="Da cobrança", texto="C", categoria=categoria("cobranca")), autor=supervisor
    )
    inativa = respostas.resposta_salvar(
        resposta=RespostaPronta(titulo="Velha", texto="V", ativa=False), autor=supervisor
    )

    resposta = cliente_atendente.get(url(protocolo))

    assert set(resposta.context["resposta_pronta"].respostas) == {geral.pk, da_categoria.pk}
    for escondida in (de_outra, inativa):
        pagina = cliente_atendente.get(url(protocolo), {"resposta": escondida.pk})
        assert pagina.status_code == 200
        assert _texto_da_interacao(pagina) is None
        assert "Escolha uma das respostas da lista." in pagina.text


@pytest.mark.parametrize("valor", ["", "abc", "\x00", "9" * 30, "-1"])
def test_an_odd_pick_is_a_message_never_a_500(cliente_atendente, supervisor, valor):
    protocolo = abrir()
    _pronta(supervisor)

    resposta = cliente_atendente.get(url(protocolo), {"resposta": valor})

    assert resposta.status_code == 200
    assert _texto_da_interacao(resposta) is None


def test_without_canned_answers_the_picker_is_not_shown(cliente_atendente):
    resposta = cliente_atendente.get(url(abrir()))

    assert 'data-form="resposta-pronta"' not in resposta.text
