"""The status page in the consumer's words (issue 13, item 10): a progress line, what happens next and
by when, the company's answer above the question about it, and a rating of large targets."""

import datetime
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse

from consumidor import acesso
from consumidor.forms import (
    AberturaForm,
    ConsultaForm,
    FormularioDoPortal,
    MensagemForm,
    RecuperacaoForm,
    RespostaForm,
    TitularForm,
)
from protocolo import services
from protocolo.models import Situacao
from tests.consumidor.apoio import pagina
from tests.factories import AtendenteFactory, abrir

pytestmark = pytest.mark.django_db

# Friday 2026-11-20, 10:00 in São Paulo.
ABERTURA = datetime.datetime(2026, 11, 20, 13, tzinfo=datetime.UTC)


def _ver(client, protocolo):
    sessao = client.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    return client.get(pagina(protocolo)).text


def _etapa_atual(texto):
    return re.search(
        r'aria-current="step">\s*<span[^>]*></span>\s*<span class="andamento__nome">([^<]+)<', texto
    ).group(1)


@pytest.fixture
def atendente():
    return AtendenteFactory(first_name="Joana")


def test_the_progress_line_names_the_step_and_the_date_of_the_answer(client, consumidor, atendente, time_machine):
    time_machine.move_to(ABERTURA, tick=False)
    protocolo = abrir(consumidor=consumidor)
    assert _etapa_atual(_ver(client, protocolo)) == "Registrado"

    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)
    texto = _ver(client, protocolo)

    assert _etapa_atual(texto) == "Em análise"
    assert "Próximo passo:</strong> A empresa responde até 27/11/2026." in texto
    for interno in ("Nível", "1 · atendimento", "Situação: em atendimento", "Baixar histórico (JSON)"):
        assert interno not in texto


def test_a_resolution_shows_the_companys_answer_right_above_the_question(client, consumidor, atendente, time_machine):
    time_machine.move_to(ABERTURA, tick=False)
    protocolo = abrir(consumidor=consumidor)
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)
    services.protocolo_resolver(protocolo=protocolo, texto="Estornamos a cobrança em dobro.", autor=atendente)

    texto = _ver(client, protocolo)

    assert _etapa_atual(texto) == "Respondido"
    assert "Diga se a resposta resolveu até 10/12/2026" in texto
    resposta = texto.index("Estornamos a cobrança em dobro.</blockquote>")
    pergunta = texto.index("A resposta resolveu a sua demanda?")
    assert resposta < pergunta
    # Nothing but the heading of the answer stands between the two.
    assert "<section" not in texto[resposta:pergunta] and "<form" not in texto[resposta:pergunta]
    nota = re.search(r'<div id="div_id_avaliacao" class="[^"]*\bnota\b', texto)
    assert nota, "the rating is drawn as a row of targets (.nota)"
    assert texto.count('name="avaliacao"') == 5


def test_escalation_is_said_as_who_is_looking_at_it(client, consumidor, atendente, time_machine):
    time_machine.move_to(ABERTURA, tick=False)
    protocolo = abrir(consumidor=consumidor)
    services.protocolo_escalar(protocolo=protocolo, motivo="Cliente antigo.", autor=atendente)

    texto = _ver(client, protocolo)

    assert "O seu protocolo está com a supervisão." in texto
    assert "Nível 2" not in texto


# One voice for the errors (item 12) -----------------------------------------------------------------

FORMULARIOS = [ConsultaForm, RecuperacaoForm, AberturaForm, TitularForm, MensagemForm, RespostaForm]


@pytest.mark.parametrize("formulario", FORMULARIOS, ids=lambda f: f.__name__)
def test_every_required_field_says_what_to_type_in_the_portals_voice(formulario):
    erros = formulario(data={}).errors

    exigidos = [nome for nome, campo in formulario().fields.items() if campo.required]
    assert exigidos and set(exigidos) <= set(erros)
    for nome in exigidos:
        (mensagem,) = erros[nome]
        assert mensagem.split()[0] in {"Informe", "Escolha", "Conte", "Escreva", "Diga"}, mensagem
        assert mensagem not in {"Este campo é obrigatório.", "Preencha este campo."}


def test_a_field_without_its_own_message_names_its_label():
    class Novo(FormularioDoPortal):
        cidade = forms.CharField(label="Cidade")

    assert Novo(data={}).errors["cidade"] == ["Preencha “Cidade”."]


def test_the_opening_never_says_if_there_is_an_e_mail_after_requiring_one(client):
    pagina_abrir = client.get(reverse("consumidor:abrir")).text
    assert "se houver" not in pagina_abrir and "se você informou" not in pagina_abrir
    assert "recebe primeiro só um link de confirmação" in pagina_abrir


# Lighthouse: a description, deferred scripts ---------------------------------------------------------


@pytest.mark.parametrize("nome", ["inicio", "abrir", "recuperar", "privacidade", "verificar_inicio", "indicadores"])
def test_public_pages_describe_themselves_and_defer_their_scripts(client, nome):
    texto = client.get(reverse(f"consumidor:{nome}")).text

    assert re.search(r'<meta name="description" content="[^"]{40,}">', texto)
    scripts = re.findall(r"<script\b[^>]*>", texto)
    assert scripts and all(" defer" in s or 'type="module"' in s for s in scripts), scripts


def test_no_page_needs_bootstrap_javascript_so_none_is_shipped(client):
    raiz = Path(settings.BASE_DIR)
    usos = [
        str(arquivo.relative_to(raiz))
        for pasta in ("templates", "static/js")
        for arquivo in (raiz / pasta).rglob("*")
        if arquivo.is_file() and re.search(r"data-bs-|\bbootstrap\.[A-Z]", arquivo.read_text(errors="ignore"))
    ]
    assert usos == [], "a page uses a Bootstrap component: ship it (docs/pilha.md) and change this test"
    assert not (raiz / "static/vendor/bootstrap/js").exists()
    assert "bootstrap" not in "".join(re.findall(r"<script\b[^>]*>", client.get(reverse("consumidor:inicio")).text))
