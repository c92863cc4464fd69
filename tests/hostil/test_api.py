"""The API under the hostile corpus, through the test client: every field of every route, every
text stored as typed (stripped) or refused with a problem+json in Portuguese, never a 500; and
values of the wrong JSON type, malformed bodies and odd headers answered the same way."""

import json

import pytest

from protocolo import services
from protocolo.models import Consumidor, Interacao, Protocolo
from tests.api.apoio import cliente
from tests.factories import abrir
from tests.hostil.corpus import CORPUS, REPRESENTANTES, arquivos_hostis, esperado

pytestmark = pytest.mark.django_db

# Every API route that takes a POST, and the test below that sends it hostile input.
FORMULARIOS = {
    "protocolos": "test_every_text_field_keeps_or_refuses_the_text",
    "interacoes": "test_every_text_field_keeps_or_refuses_the_text",
    "identificar": "test_every_text_field_keeps_or_refuses_the_text",
    "categoria": "test_every_field_refuses_hostile_values_without_a_500",
    "demanda": "test_every_text_field_keeps_or_refuses_the_text",
    "situacao": "test_every_text_field_keeps_or_refuses_the_text",
    "escalar": "test_every_text_field_keeps_or_refuses_the_text",
    "resolver": "test_every_text_field_keeps_or_refuses_the_text",
    "reabrir": "test_every_text_field_keeps_or_refuses_the_text",
    "consumidor_protocolos": "test_every_field_refuses_hostile_values_without_a_500",
    "anexos": "test_hostile_files_through_the_api_are_refused_or_neutralised",
}


def _ultima(protocolo):
    return Interacao.objects.filter(protocolo=protocolo).order_by("-ordem").first().texto


def _aberto(resposta):
    return Protocolo.objects.get(numero=resposta.json()["numero"])


# (route, field, maximum, multi-line, base body, where the kept value is read back)
TEXTOS = [
    ("protocolos", "objeto", 20_000, True, {"canal": "telefone"}, lambda p, r: _aberto(r).objeto),
    ("protocolos", "nome", 200, False, {"canal": "telefone"}, lambda p, r: _aberto(r).consumidor.nome),
    ("interacoes", "texto", 20_000, True, {}, lambda p, r: _ultima(p)),
    ("identificar", "nome", 200, False, {"cpf": "52998224725"}, lambda p, r: Consumidor.objects.get().nome),
    ("demanda", "objeto", 20_000, True, {}, lambda p, r: _ultima(p)),
    ("situacao", "texto", 20_000, True, {"situacao": "em_atendimento"}, lambda p, r: _ultima(p)),
    ("escalar", "motivo", 20_000, True, {}, lambda p, r: _ultima(p)),
    ("resolver", "texto", 20_000, True, {}, lambda p, r: _ultima(p)),
    ("reabrir", "motivo", 20_000, True, {}, lambda p, r: _ultima(p)),
]
# The other fields, with a valid body around them.
OUTROS = [
    ("protocolos", "canal", {}),
    ("protocolos", "cpf", {"canal": "telefone"}),
    ("protocolos", "email", {"canal": "telefone"}),
    ("protocolos", "telefone", {"canal": "telefone"}),
    ("protocolos", "categoria", {"canal": "telefone"}),
    ("interacoes", "publica", {"texto": "Olá"}),
    ("identificar", "cpf", {}),
    ("identificar", "email", {"cpf": "52998224725"}),
    ("identificar", "telefone", {"cpf": "52998224725"}),
    ("identificar", "verificacao", {"cpf": "52998224725", "email": "a@exemplo.com.br"}),
    ("identificar", "versao", {"cpf": "52998224725"}),
    ("categoria", "categoria", {}),
    ("categoria", "versao", {"categoria": "cobranca"}),
    ("situacao", "situacao", {}),
    ("escalar", "versao", {"motivo": "x"}),
    ("consumidor_protocolos", "cpf", {}),
]
TIPOS_ERRADOS = [None, 0, -1, 10**30, 1.5, True, [], ["a"], {}, {"a": 1}]


def _url(rota, protocolo):
    if rota == "protocolos":
        return "/api/v1/protocolos/"
    if rota == "consumidor_protocolos":
        return "/api/v1/consumidores/protocolos/"
    return f"/api/v1/protocolos/{protocolo.numero}/{rota}/"


def _problema(resposta):
    assert resposta["Content-Type"] == "application/problem+json", resposta.content[:200]
    corpo = resposta.json()
    assert corpo["status"] == resposta.status_code
    assert corpo["detail"]


def _protocolo_para(rota, api):
    protocolo = abrir()
    if rota == "reabrir":
        protocolo = services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=api.sistema.usuario)
    return protocolo


@pytest.mark.parametrize("carga", CORPUS, ids=str)
@pytest.mark.parametrize(
    ("rota", "campo", "maximo", "linhas", "base", "guardado"), [pytest.param(*t, id=f"{t[0]}-{t[1]}") for t in TEXTOS]
)
def test_every_text_field_keeps_or_refuses_the_text(rota, campo, maximo, linhas, base, guardado, carga):
    api = cliente()
    protocolo = _protocolo_para(rota, api)
    corpo = {**base, campo: carga.valor}
    if rota not in ("protocolos", "interacoes", "demanda"):
        corpo["versao"] = protocolo.versao

    resposta = api.post(_url(rota, protocolo), corpo)

    assert resposta.status_code < 500
    quer = esperado(carga.valor, maximo=maximo, linhas=linhas)
    if resposta.status_code < 300:
        assert quer is not None, carga
        assert guardado(protocolo, resposta) == quer
    else:
        _problema(resposta)
        assert quer is None or resposta.status_code in (409, 422), resposta.json()


@pytest.mark.parametrize(
    "valor",
    [pytest.param(c.valor, id=str(c)) for c in REPRESENTANTES] + [pytest.param(v, id=repr(v)) for v in TIPOS_ERRADOS],
)
@pytest.mark.parametrize(
    ("rota", "campo", "base"),
    [pytest.param(r, c, b, id=f"{r}-{c}") for r, c, b in OUTROS + [(r, c, b) for r, c, _, _, b, _ in TEXTOS]],
)
def test_every_field_refuses_hostile_values_without_a_500(rota, campo, base, valor):
    api = cliente()
    protocolo = _protocolo_para(rota, api)
    corpo = {"versao": protocolo.versao, **base, campo: valor}

    resposta = api.post(_url(rota, protocolo), corpo)

    assert resposta.status_code < 500
    if resposta.status_code >= 400:
        _problema(resposta)


@pytest.mark.parametrize(
    "corpo",
    ["{", "[]", '"texto"', "null", "1", '{"canal": NaN}', "[" * 5000 + "]" * 5000, b"\xff\xfe", "{}" * 3],
    ids=lambda corpo: repr(corpo)[:30],
)
def test_a_malformed_body_is_a_problem_not_a_500(corpo):
    api = cliente()

    resposta = api.post("/api/v1/protocolos/", corpo)

    assert 400 <= resposta.status_code < 500
    _problema(resposta)


def test_a_body_that_is_not_json_is_a_415():
    resposta = cliente().post("/api/v1/protocolos/", "canal=telefone", content_type="application/x-www-form-urlencoded")

    assert resposta.status_code == 415
    _problema(resposta)


@pytest.mark.parametrize("carga", [*REPRESENTANTES, CORPUS[0]], ids=str)
def test_a_hostile_idempotency_key_is_refused_or_kept(carga):
    api = cliente()

    resposta = api.post("/api/v1/protocolos/", {"canal": "telefone"}, headers={"Idempotency-Key": carga.valor})

    assert resposta.status_code < 500
    if resposta.status_code >= 400:
        _problema(resposta)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_a_hostile_number_in_the_path_is_a_404(carga):
    api = cliente()

    resposta = api.get("/api/v1/protocolos/" + json.dumps(carga.valor)[1:-1][:300].replace("/", "") + "/")

    assert resposta.status_code in (400, 404)


@pytest.mark.parametrize("caso", list(arquivos_hostis()))
def test_hostile_files_through_the_api_are_refused_or_neutralised(caso):
    from django.test.client import MULTIPART_CONTENT

    from protocolo.models import Anexo
    from tests.anexos.arquivos import upload

    nome, dados, mantido = arquivos_hostis()[caso]
    api = cliente()
    protocolo = abrir()
    resposta = api.post(
        f"/api/v1/protocolos/{protocolo.numero}/anexos/",
        {"texto": "Segue.", "arquivos": [upload(nome, dados)]},
        content_type=MULTIPART_CONTENT,
    )
    assert resposta.status_code < 500
    if not mantido:
        assert resposta.status_code == 422, resposta.content[:300]
        _problema(resposta)
        assert not Anexo.objects.exists()
        return
    assert resposta.status_code == 201, resposta.content[:300]
    [arquivo] = resposta.json()["anexos"]
    assert "/" not in arquivo["nome"] and "\u202e" not in arquivo["nome"] and "<" not in arquivo["nome"]
