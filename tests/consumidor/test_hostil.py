"""Hostile input on every public form: a Portuguese answer, never a 500 (issue 3, "Abuse")."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import categoria

pytestmark = pytest.mark.django_db

texto = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(["", " ", "\x00", "529.982.247-25", "2026 1127 0000 0153", "\u0663" * 11, "1" * 10_240]),
)

ENDERECOS_E_CAMPOS = {
    "/consultar/": ["numero", "cpf"],
    "/recuperar/": ["cpf"],
    "/abrir/": ["cpf", "nome", "email", "categoria", "objeto"],
    "/privacidade/": ["cpf", "nome", "email", "pedido", "detalhes"],
}


@pytest.fixture
def sem_limites(settings):
    settings.PROTOCOLO_LIMITES = {nome: (10**9, segundos) for nome, (_, segundos) in settings.PROTOCOLO_LIMITES.items()}


@pytest.mark.parametrize("endereco", list(ENDERECOS_E_CAMPOS))
@given(dados=st.data())
def test_public_forms_never_answer_500(endereco, dados, sem_limites):
    # Each field hostile or valid, so the hostile one also reaches the code past the others' checks.
    validos = {
        "numero": "2026 1127 0000 0153",
        "cpf": "529.982.247-25",
        "nome": "Maria",
        "email": "maria@exemplo.com.br",
        "categoria": str(categoria("cobranca").pk),
        "objeto": "Cobrança em dobro.",
        "pedido": "acesso",
        "detalhes": "",
    }
    valores = {
        campo: dados.draw(st.one_of(st.just(validos[campo]), texto), label=campo)
        for campo in ENDERECOS_E_CAMPOS[endereco]
    }

    resposta = Client(raise_request_exception=False).post(endereco, valores)

    assert resposta.status_code in (200, 302, 404), resposta.status_code
    if resposta.status_code == 200:
        assert 'lang="pt-BR"' in resposta.text


@given(codigo=st.text(max_size=120).filter(lambda c: "/" not in c and c.strip()))
def test_the_verification_page_never_answers_500(codigo, db, sem_limites):
    resposta = Client(raise_request_exception=False).get("/verificar/" + codigo.replace("?", "").replace("#", "") + "/")

    assert resposta.status_code in (200, 302, 404)


@given(numero=st.text(max_size=60).filter(lambda c: "/" not in c and c.strip()))
def test_the_status_page_never_answers_500(numero, db):
    resposta = Client(raise_request_exception=False).get("/protocolo/" + numero.replace("?", "").replace("#", "") + "/")

    assert resposta.status_code in (301, 404)


@given(codigo=st.text(max_size=120))
def test_the_verification_form_never_answers_500(codigo, db, sem_limites):
    resposta = Client(raise_request_exception=False).get("/verificar/", {"codigo": codigo})

    assert resposta.status_code in (200, 302, 404)
