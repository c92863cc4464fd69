"""
Every error of the API as application/problem+json (RFC 9457), in Portuguese: `type`, `title`,
`status`, `detail`, `instance`, and for invalid input `erros`, one item per field
(`{"campo": ..., "mensagem": ...}`). A refusal of the domain (protocolo.exceptions) maps to its
status here, so the views only call services:

- DadosInvalidos: 422 (the content was understood and refused by a rule);
- TransicaoInvalida, VersaoDesatualizada (with `versao_atual`), RegistroImutavel: 409;
- ConflitoDeIdempotencia: 422;
- PermissaoNegada: 403.

The types are URNs documented in docs/integracao.md ("Erros").
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from ..exceptions import (
    ConflitoDeIdempotencia,
    DadosInvalidos,
    ErroProtocolo,
    PermissaoNegada,
    RegistroImutavel,
    TransicaoInvalida,
    VersaoDesatualizada,
)

TIPO_DE_CONTEUDO = "application/problem+json"

TITULOS = {
    400: "Requisição inválida",
    401: "Não autenticado",
    403: "Acesso negado",
    404: "Não encontrado",
    405: "Método não permitido",
    406: "Formato de resposta não aceito",
    409: "Conflito",
    415: "Tipo de conteúdo não suportado",
    422: "Dados recusados",
    429: "Muitas requisições",
}

DOMINIO = [
    # (exception, status, type, title), most specific first.
    (VersaoDesatualizada, 409, "urn:protocolo:versao-desatualizada", "O protocolo mudou desde a versão enviada"),
    (TransicaoInvalida, 409, "urn:protocolo:transicao-invalida", "Ação não permitida na situação atual"),
    (RegistroImutavel, 409, "urn:protocolo:registro-imutavel", "O registro não pode ser alterado"),
    (ConflitoDeIdempotencia, 422, "urn:protocolo:idempotencia", "Idempotency-Key reutilizada"),
    (PermissaoNegada, 403, "urn:protocolo:permissao-negada", "Acesso negado"),
    (DadosInvalidos, 422, "urn:protocolo:dados-invalidos", "Dados recusados"),
    (ErroProtocolo, 422, "urn:protocolo:dados-invalidos", "Dados recusados"),
]


def problema(request, status_code, detalhe, *, tipo="about:blank", titulo=None, cabecalhos=None, **extras):
    corpo = {
        "type": tipo,
        "title": titulo or TITULOS.get(status_code, "Erro"),
        "status": status_code,
        "detail": str(detalhe),
        "instance": request.path if request is not None else "",
        **extras,
    }
    return Response(corpo, status=status_code, content_type=TIPO_DE_CONTEUDO, headers=cabecalhos)


def _erros(detalhe, prefixo=""):
    """One {"campo", "mensagem"} per message of a DRF ValidationError's detail, nested fields
    named with dots."""
    if isinstance(detalhe, dict):
        itens = []
        for campo, valor in detalhe.items():
            nome = prefixo if campo == "non_field_errors" else (f"{prefixo}.{campo}" if prefixo else str(campo))
            itens.extend(_erros(valor, nome))
        return itens
    if isinstance(detalhe, list):
        itens = []
        for posicao, valor in enumerate(detalhe):
            if isinstance(valor, dict | list):
                itens.extend(_erros(valor, f"{prefixo}[{posicao}]"))
            else:
                itens.append({"campo": prefixo or None, "mensagem": str(valor)})
        return itens
    return [{"campo": prefixo or None, "mensagem": str(detalhe)}]


def tratar(erro, contexto):
    request = contexto.get("request")
    if isinstance(erro, ErroProtocolo):
        for classe, codigo, tipo, titulo in DOMINIO:
            if isinstance(erro, classe):
                extras = {}
                if isinstance(erro, VersaoDesatualizada):
                    extras["versao_atual"] = erro.atual.versao
                return problema(request, codigo, erro.mensagem, tipo=tipo, titulo=titulo, **extras)
    if isinstance(erro, Http404):
        erro = exceptions.NotFound("Não encontrado.")
    elif isinstance(erro, PermissionDenied):
        erro = exceptions.PermissionDenied()
    if not isinstance(erro, exceptions.APIException):
        # Anything else is a real failure: Django's 500 handling (and its logging) takes it.
        return None
    cabecalhos = {}
    if getattr(erro, "auth_header", None):
        cabecalhos["WWW-Authenticate"] = erro.auth_header
    if getattr(erro, "wait", None) is not None:
        cabecalhos["Retry-After"] = str(int(erro.wait))
    if isinstance(erro, exceptions.ValidationError):
        itens = _erros(erro.detail)
        campos = sorted({i["campo"] for i in itens if i["campo"]})
        resumo = "Dados inválidos" + (f" em: {', '.join(campos)}." if campos else ".")
        return problema(
            request,
            status.HTTP_400_BAD_REQUEST,
            resumo,
            tipo="urn:protocolo:dados-invalidos",
            titulo="Dados inválidos",
            cabecalhos=cabecalhos,
            erros=itens,
        )
    detalhe = erro.detail if isinstance(erro.detail, str) else " ".join(str(d) for d in _textos(erro.detail))
    return problema(request, erro.status_code, detalhe, cabecalhos=cabecalhos)


def _textos(detalhe):
    if isinstance(detalhe, dict):
        for valor in detalhe.values():
            yield from _textos(valor)
    elif isinstance(detalhe, list):
        for valor in detalhe:
            yield from _textos(valor)
    else:
        yield detalhe
