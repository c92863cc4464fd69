"""Generated text through the public forms (tests/consumidor/test_hostil.py sends it at every field
and only asks for no 500): here what is kept must be exactly what the rule keeps, shown inert."""

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from consumidor.forms import MENSAGEM_MAXIMA, OBJETO_MAXIMO
from protocolo.models import Protocolo
from tests.factories import categoria
from tests.hostil import inerte
from tests.hostil.corpus import CORPUS, esperado

pytestmark = pytest.mark.django_db

# Everything an HTTP form can carry: any code point but the surrogates (Django decodes a body with
# "replace", so a lone surrogate never reaches a form), with the corpus mixed in.
texto = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200),
    st.text(alphabet=st.characters(codec="utf-8", max_codepoint=0x9F), max_size=60),
    st.sampled_from([c.valor for c in CORPUS if len(c.valor) < 5000]),
    st.builds(
        lambda a, b: a + b, st.sampled_from([c.valor for c in CORPUS if len(c.valor) < 200]), st.text(max_size=20)
    ),
)
perfil = settings(deadline=None, max_examples=40)


@perfil
@given(objeto=texto, nome=texto)
def test_the_opening_form_keeps_exactly_what_the_rule_keeps(objeto, nome, sem_limites):
    cliente = Client(raise_request_exception=False)
    dados = {
        "cpf": "111.444.777-35",
        "nome": nome,
        "email": "joana@exemplo.com.br",
        "categoria": str(categoria("cobranca").pk),
        "objeto": objeto,
    }
    resposta = cliente.post("/abrir/", dados)

    objeto_guardado = esperado(objeto, maximo=OBJETO_MAXIMO, linhas=True)
    nome_guardado = esperado(nome, maximo=200, linhas=False)
    protocolo = Protocolo.objects.filter(consumidor__cpf="11144477735").select_related("consumidor").first()
    if objeto_guardado is None or nome_guardado is None:
        assert resposta.status_code == 200, resposta.status_code
        inerte.erros_em_portugues(inerte.erros_do_formulario(resposta))
        inerte.html_inerte(resposta.text, objeto)
        assert protocolo is None
        return
    assert resposta.status_code == 302, (resposta.status_code, inerte.erros_do_formulario(resposta))
    assert (protocolo.objeto, protocolo.consumidor.nome) == (objeto_guardado, nome_guardado)
    pagina = cliente.get(f"/protocolo/{protocolo.numero}/")
    inerte.html_inerte(pagina.text, objeto_guardado, mostra=True)
    inerte.json_devolve(cliente.get(f"/protocolo/{protocolo.numero}/historico.json").content, objeto_guardado)
    # Hypothesis runs every example in the same test transaction: the next one opens afresh.
    protocolo.consumidor.cpf = None
    protocolo.consumidor.save(update_fields=["cpf"])


@perfil
@given(mensagem=texto)
def test_a_consumer_message_keeps_exactly_what_the_rule_keeps(mensagem, visitante, protocolo, sem_limites):
    antes = protocolo.interacoes.count()
    resposta = visitante.post(f"/protocolo/{protocolo.numero}/mensagem/", {"texto": mensagem})

    guardada = esperado(mensagem, maximo=MENSAGEM_MAXIMA, linhas=True)
    if guardada is None:
        assert resposta.status_code == 200, resposta.status_code
        inerte.erros_em_portugues(inerte.erros_do_formulario(resposta))
        inerte.html_inerte(resposta.text, mensagem)
        assert protocolo.interacoes.count() == antes
        return
    assert resposta.status_code == 302, resposta.status_code
    assert protocolo.interacoes.latest("ordem").texto == guardada
    inerte.html_inerte(visitante.get(f"/protocolo/{protocolo.numero}/").text, guardada, mostra=True)
