"""
What an integrated system does through the API that the back-office does in other steps: open a
protocol in one call (with an Idempotency-Key, so a retry never opens a second one) and identify
the consumer with the contacts it collected. Each is a composition of the services the other faces
use; the system's account (SistemaIntegrado.usuario) is the author on the timeline and never the
responsável. A contact a system gives serves its protocol only (origem api, docs/seguranca.md),
unless the system holds the contatos:vincular scope and names the identity check it performed.
"""

import hashlib
import json

from django.db import IntegrityError, transaction

from ..exceptions import ConflitoDeIdempotencia, DadosInvalidos, PermissaoNegada
from ..models import Canal, ChaveDeIdempotencia, Consumidor, Contato, EscopoSistema, Protocolo
from .abertura import _abrir, _enviar_numero, _validar_abertura
from .consumidores import consumidor_identificar, protocolo_identificar_consumidor
from .contatos import (
    OrigemContato,
    TipoContato,
    consumidor_vincular_contato,
    contato_do_protocolo,
    normalizar,
    pedir_confirmacao,
)
from .historico import _conferir_versao, _cpf, _exigir_aberto, _exigir_nao_anonimizado, _texto, _travar

# The canal a system may name: the portal is the consumer's own form, never another system's.
CANAIS_DA_API = tuple(c for c in Canal.values if c != Canal.PORTAL)
CHAVE_MAXIMO = 255


def impressao_do_pedido(dados):
    """SHA-256 of a request's content, to tell a retry from another request under the same key."""
    texto = json.dumps(dados, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(texto.encode()).hexdigest()


def protocolo_abrir_por_sistema(
    *, sistema, canal, cpf="", nome="", email="", telefone="", categoria=None, objeto="", chave="", impressao=""
):
    """Open a protocol for an integrated system: (protocolo, aberto_agora). With `chave` (the
    request's Idempotency-Key) a retry returns the protocol the first request opened, aberto_agora
    False; the same key with another content (`impressao`) is refused. Concurrent requests with one
    key: each opens in its own transaction, the key's unique index lets one commit and rolls the
    others back whole (their day's number with them, so no gap), and those return the winner's."""
    if canal not in CANAIS_DA_API:
        raise DadosInvalidos("Canal de atendimento inválido para um sistema integrado.")
    chave = str(chave or "")
    if len(chave) > CHAVE_MAXIMO:
        raise DadosInvalidos(f"A Idempotency-Key passa de {CHAVE_MAXIMO} caracteres.")
    if chave and not (chave.isascii() and chave.isprintable()):
        raise DadosInvalidos("A Idempotency-Key aceita só letras, dígitos e símbolos ASCII visíveis.")
    if chave and (existente := _da_chave(sistema, chave, impressao)) is not None:
        return existente, False
    objeto = _validar_abertura(canal=canal, categoria=categoria, objeto=objeto)
    cpf = _cpf(cpf) if str(cpf or "").strip() else ""
    nome = _texto(nome, campo="nome", obrigatorio=False)[:200]
    try:
        with transaction.atomic():
            protocolo = _abrir_por_sistema(
                sistema=sistema,
                canal=canal,
                cpf=cpf,
                nome=nome,
                email=email,
                telefone=telefone,
                categoria=categoria,
                objeto=objeto,
            )
            if chave:
                ChaveDeIdempotencia.objects.create(
                    sistema=sistema, chave=chave, impressao=impressao, protocolo=protocolo
                )
    except IntegrityError:
        if chave and (existente := _da_chave(sistema, chave, impressao)) is not None:
            return existente, False
        raise
    return protocolo, True


def _da_chave(sistema, chave, impressao):
    # Nearly every key is new: a bare lookup of two columns answers that, and only a retry loads its
    # protocol with what the answer shows.
    registros = ChaveDeIdempotencia.objects.filter(sistema=sistema, chave=chave)
    registro = next(iter(registros.values_list("impressao", "protocolo_id")[:1]), None)
    if registro is None:
        return None
    if registro[0] != impressao:
        raise ConflitoDeIdempotencia(
            "Esta Idempotency-Key já foi usada com outro conteúdo: gere uma nova chave para um novo protocolo."
        )
    return Protocolo.objects.select_related("consumidor", "categoria").get(pk=registro[1])


def _abrir_por_sistema(*, sistema, canal, cpf, nome, email, telefone, categoria, objeto):
    # Checked before anything is written: a malformed contact refuses the whole opening.
    email_normalizado = normalizar(TipoContato.EMAIL, email)
    telefone_normalizado = normalizar(TipoContato.TELEFONE, telefone)
    consumidor = None
    if cpf:
        consumidor, _ = consumidor_identificar(cpf=cpf, nome=nome)
        _exigir_nao_anonimizado(consumidor)
    elif nome:
        consumidor = Consumidor.objects.create(nome=nome)
    protocolo, abertura = _abrir(
        canal=canal,
        atendente=None,
        consumidor=consumidor,
        categoria=categoria,
        objeto=objeto,
        sistema=sistema.usuario,
    )
    cabeca = (abertura.ordem, abertura.mac)
    if telefone_normalizado:
        contato_do_protocolo(
            protocolo=protocolo,
            tipo=TipoContato.TELEFONE,
            valor=telefone_normalizado,
            origem=OrigemContato.API,
            novo=True,
        )
    if email_normalizado:
        # As on the portal: an address a system collected gets the confirmation link first, and
        # the number once its owner confirms it.
        contato = contato_do_protocolo(
            protocolo=protocolo, tipo=TipoContato.EMAIL, valor=email_normalizado, origem=OrigemContato.API, novo=True
        )
        pedir_confirmacao(contato, protocolo=protocolo)
        _enviar_numero(protocolo, cabeca=cabeca, contatos=[contato])
    return protocolo


def protocolo_identificar_por_sistema(
    *, protocolo, sistema, cpf, nome="", email="", telefone="", verificacao="", versao=None
):
    """Identify the consumer by CPF (found or created; an existing record keeps its data) and add
    the contacts the system collected. Without `verificacao` they serve this protocol only; with
    it (one of VERIFICACOES, and the contatos:vincular scope) they are bound to the consumer.
    Returns (protocolo, consumidor)."""
    verificacao = str(verificacao or "").strip()
    if verificacao and not sistema.pode(EscopoSistema.VINCULAR):
        raise PermissaoNegada("Este sistema não tem o escopo contatos:vincular: o contato não é vinculado.")
    contatos = [
        (tipo, valor)
        for tipo, valor in (
            (TipoContato.EMAIL, normalizar(TipoContato.EMAIL, email)),
            (TipoContato.TELEFONE, normalizar(TipoContato.TELEFONE, telefone)),
        )
        if valor
    ]
    if verificacao and not contatos:
        raise DadosInvalidos("Informe o e-mail ou o telefone a vincular.")
    autor = sistema.usuario
    with transaction.atomic():
        consumidor, _ = consumidor_identificar(cpf=cpf, nome=nome)
        if protocolo.consumidor_id == consumidor.pk:
            protocolo = _travar(protocolo)
            _conferir_versao(protocolo, versao)
            _exigir_aberto(protocolo)
            if not contatos:
                raise DadosInvalidos("Este consumidor já está identificado no protocolo.")
        else:
            protocolo = protocolo_identificar_consumidor(
                protocolo=protocolo, consumidor=consumidor, autor=autor, versao=versao
            )
        for tipo, valor in contatos:
            if verificacao:
                consumidor_vincular_contato(
                    consumidor=consumidor,
                    tipo=tipo,
                    valor=valor,
                    origem=OrigemContato.API,
                    verificacao=verificacao,
                    autor=autor,
                    protocolo=protocolo,
                )
                continue
            ja_havia = Contato.objects.filter(protocolo=protocolo, consumidor=None, tipo=tipo, valor=valor).abertos()
            novo = not ja_havia.exists()
            contato = contato_do_protocolo(protocolo=protocolo, tipo=tipo, valor=valor, origem=OrigemContato.API)
            if novo and tipo == TipoContato.EMAIL:
                pedir_confirmacao(contato, protocolo=protocolo)
    return protocolo, consumidor
