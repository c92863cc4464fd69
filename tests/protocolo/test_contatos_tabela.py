"""The table of docs/seguranca.md ("De onde vem o contato e o que ele pode") is the code's rule:
read from the document and held to Contato.Origem, ESCOPOS and what the services do."""

import pathlib
import re

import pytest

from protocolo import services
from protocolo.exceptions import ErroProtocolo
from protocolo.models import Contato
from protocolo.services import contatos
from tests.factories import ConsumidorFactory, abrir

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "seguranca.md"


def _tabela():
    """{origem: set of escopos marked "sim"} from the document's table."""
    texto = DOC.read_text(encoding="utf-8")
    secao = texto.split("### De onde vem o contato e o que ele pode", 1)[1]
    escopos = {}
    for linha in secao.splitlines():
        celulas = [c.strip() for c in linha.strip().strip("|").split("|")]
        if len(celulas) != 4 or not re.fullmatch(r"`\w+`", celulas[1]):
            continue
        origem = celulas[1].strip("`")
        marcados = escopos.setdefault(origem, set())
        for escopo, valor in zip((contatos.PROTOCOLO, contatos.VINCULO), celulas[2:], strict=True):
            assert valor in ("sim", "nunca"), linha
            if valor == "sim":
                marcados.add(escopo)
    return escopos


def test_the_documented_table_is_the_code_table():
    tabela = _tabela()

    assert set(tabela) == set(Contato.Origem.values)
    assert set(contatos.ESCOPOS) == set(Contato.Origem.values)
    for origem, escopos in tabela.items():
        assert escopos == set(contatos.ESCOPOS[origem]), origem


def test_the_documented_identity_checks_are_the_code_ones():
    texto = DOC.read_text(encoding="utf-8").split("### Verificação de identidade do atendimento", 1)[1]
    codigos = set(re.findall(r"^\| `(\w+)` \|", texto.split("###", 1)[0], flags=re.M))

    assert codigos == set(contatos.VERIFICACOES)


@pytest.mark.django_db
@pytest.mark.parametrize("origem", Contato.Origem.values)
def test_each_origin_does_exactly_what_the_table_allows(origem, atendente):
    permitido = _tabela()[origem]
    consumidor = ConsumidorFactory(email="", telefone="")
    protocolo = abrir(consumidor=consumidor, atendente=atendente)
    verificacao = "oidc:https://id.exemplo.com.br" if origem == "oidc" else "documento_presencial"

    try:
        services.contato_do_protocolo(protocolo=protocolo, tipo="email", valor="a@exemplo.com", origem=origem)
        de_protocolo = True
    except ErroProtocolo:
        de_protocolo = False
    try:
        services.consumidor_vincular_contato(
            consumidor=consumidor,
            tipo="email",
            valor="b@exemplo.com",
            origem=origem,
            verificacao=verificacao,
            autor=atendente,
            protocolo=protocolo,
        )
        vinculado = True
    except ErroProtocolo:
        vinculado = False

    assert de_protocolo == (contatos.PROTOCOLO in permitido)
    assert vinculado == (contatos.VINCULO in permitido)
