"""
The tamper-evident timeline (docs/dominio.md §1).

Each Interacao carries HMAC-SHA256(key, canonical content ‖ previous entry's MAC) under a dedicated,
versioned key kept outside the database (settings.PROTOCOLO_CHAVES_INTEGRIDADE). Someone with only
database access can neither edit an entry nor remove or reorder one without breaking every MAC after
it. The sanctioned rewrites, LGPD anonymisation and the removal of a file by a legal order, append
an entry that names each redacted entry with the MAC of its redacted content; verification accepts
a redacted entry only through such a record.

Receipt codes bind the number, the opening time and the chain head at issue time under a second key
(settings.PROTOCOLO_CHAVES_COMPROVANTE), so the consumer holds evidence outside our database.
"""

import base64
import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings


def _chave(chaves, versao=None):
    if versao is None:
        versao = max(chaves)
    try:
        return versao, chaves[versao]
    except KeyError:
        raise LookupError(f"Chave de versão {versao} não configurada.") from None


def conteudo_canonico(interacao, numero):
    """The bytes the MAC covers: every field of the entry, in a fixed, unambiguous encoding."""
    campos = {
        "protocolo": numero,
        "ordem": interacao.ordem,
        "tipo": interacao.tipo,
        "origem": interacao.origem,
        "publica": interacao.publica,
        "texto": interacao.texto,
        "autor": interacao.autor_id,
        "criada_em": interacao.criada_em.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "situacao_anterior": interacao.situacao_anterior,
        "situacao_nova": interacao.situacao_nova,
        "nivel_anterior": interacao.nivel_anterior,
        "nivel_novo": interacao.nivel_novo,
        "detalhes": interacao.detalhes,
        "chave_versao": interacao.chave_versao,
    }
    return json.dumps(campos, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def calcular_mac(interacao, numero, mac_anterior):
    _, chave = _chave(settings.PROTOCOLO_CHAVES_INTEGRIDADE, interacao.chave_versao)
    mensagem = conteudo_canonico(interacao, numero) + b"\n" + mac_anterior.encode()
    return hmac.new(chave, mensagem, hashlib.sha256).hexdigest()


def selar(interacao, numero, mac_anterior):
    """Sign a new entry with the current key."""
    interacao.chave_versao, _ = _chave(settings.PROTOCOLO_CHAVES_INTEGRIDADE)
    interacao.mac = calcular_mac(interacao, numero, mac_anterior)


@dataclass
class Falha:
    numero: str
    ordem: int
    interacao_id: int | None
    motivo: str

    def __str__(self):
        if not self.ordem:
            return f"{self.numero}: {self.motivo}"
        quem = f"interação #{self.ordem}" + (f" (id {self.interacao_id})" if self.interacao_id else "")
        return f"Protocolo {self.numero}, {quem}: {self.motivo}"


# The entries that record a sanctioned rewrite: LGPD anonymisation, and the removal of a file by a
# legal order (protocolo/remocao.py).
REESCRITAS = ("anonimizacao", "remocao_anexo")


def _redigidas(interacoes):
    """ordem → MAC of the redacted content, as named by the anonymisation entries.

    Read before those entries' own MACs are checked, so whatever the database holds is parsed
    defensively: a malformed record names nothing (and its entry then fails its own MAC)."""
    redigidas = {}
    for entrada in interacoes:
        if entrada.tipo not in REESCRITAS or not isinstance(entrada.detalhes, dict):
            continue
        registro = entrada.detalhes.get("redigidas")
        if not isinstance(registro, dict):
            continue
        for ordem, mac in registro.items():
            if isinstance(ordem, str) and ordem.isascii() and ordem.isdigit() and isinstance(mac, str):
                redigidas[int(ordem)] = mac
    return redigidas


def _confere(calculado, armazenado):
    # Bytes: compare_digest raises TypeError on str with non-ASCII characters, and a tampered row
    # must be reported, not crash the verification of every protocol after it.
    return hmac.compare_digest(calculado.encode(), str(armazenado).encode())


def verificar_cadeia(numero, interacoes):
    """The first broken entry of one protocol's chain, or None when it verifies.

    `interacoes` in their order. A gap or a repeated position is a deletion or an insertion; an
    empty chain is a deletion too, since every protocol starts with its opening entry."""
    interacoes = list(interacoes)
    if not interacoes:
        return Falha(numero, 1, None, "o protocolo não tem nenhuma entrada")
    redigidas = _redigidas(interacoes)

    mac_anterior = ""
    for esperada, entrada in enumerate(interacoes, start=1):
        if entrada.ordem != esperada:
            return Falha(numero, esperada, None, f"falta a entrada (encontrada a #{entrada.ordem} no lugar)")
        try:
            calculado = calcular_mac(entrada, numero, mac_anterior)
        except LookupError as erro:
            return Falha(numero, entrada.ordem, entrada.id, str(erro))
        if not _confere(calculado, entrada.mac):
            redigido = redigidas.get(entrada.ordem)
            if not (redigido and _confere(calculado, redigido)):
                return Falha(numero, entrada.ordem, entrada.id, "o conteúdo não confere com o MAC")
        mac_anterior = entrada.mac
    return None


# Receipt codes ------------------------------------------------------------------------------------


def _etiqueta(chave, numero, aberto_em, ordem, mac):
    mensagem = f"{numero}|{aberto_em.astimezone(datetime.UTC).isoformat(timespec='microseconds')}|{ordem}|{mac}"
    digest = hmac.new(chave, mensagem.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16]


def codigo_comprovante(protocolo, cabeca):
    """`número-posição-versão-etiqueta`: the receipt's verification code over the chain head."""
    versao, chave = _chave(settings.PROTOCOLO_CHAVES_COMPROVANTE)
    etiqueta = _etiqueta(chave, protocolo.numero, protocolo.aberto_em, cabeca.ordem, cabeca.mac)
    return f"{protocolo.numero}-{cabeca.ordem}-{versao}-{etiqueta}"


def decompor_codigo(codigo):
    """(número, posição, versão, etiqueta), or None for something that is not a code at all."""
    partes = str(codigo).strip().upper().split("-")
    if len(partes) != 4 or not all(p.isascii() and p.isdigit() for p in partes[:3]):
        return None
    if len(partes[3]) != 16:
        return None
    return partes[0], int(partes[1]), int(partes[2]), partes[3]


# What the one HMAC of a code that matches nothing is computed over: the same key and a message of
# the same shape, so a missing number costs what an existing one does.
_AUSENTE = ("0" * 16, datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC), 0, "0" * 64)


def codigo_confere(codigo, protocolo, entrada):
    """Whether `codigo` was issued for this protocol at this chain entry. Always one HMAC, whatever
    fails (the number, the position, the key version, no entry at all: protocolo and entrada None),
    so the time of the answer does not tell which part did."""
    partes = decompor_codigo(codigo)
    if partes is None:
        return False
    numero, ordem, versao, etiqueta = partes
    try:
        _, chave = _chave(settings.PROTOCOLO_CHAVES_COMPROVANTE, versao)
        versao_conhecida = True
    except LookupError:
        _, chave = _chave(settings.PROTOCOLO_CHAVES_COMPROVANTE)
        versao_conhecida = False
    pertence = entrada is not None and numero == protocolo.numero and ordem == entrada.ordem
    mensagem = (protocolo.numero, protocolo.aberto_em, entrada.ordem, entrada.mac) if pertence else _AUSENTE
    esperada = _etiqueta(chave, *mensagem)
    return hmac.compare_digest(esperada, etiqueta) and pertence and versao_conhecida
