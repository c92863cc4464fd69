"""
The one-time codes that confirm a telephone (docs/seguranca.md, "Confirmação por código"): six
digits derived with the secret key from a random seed, so that no row holds the code. The outbox
row of a code's message carries MASCARA where the code goes; `no_envio` puts the code in only on
the way to the provider, so the admin's and the back-office's views of the outbox, and a provider's
error that quotes the text back, never show it.
"""

import hmac
import secrets

from django.utils.crypto import salted_hmac

from .models import CodigoDeConfirmacao

DIGITOS = 6
MASCARA = "******"
_SAL = "protocolo.codigos.telefone"


def nova_semente():
    return secrets.token_hex(32)


def derivar(semente):
    """The code a seed stands for: an HMAC-SHA256 under the secret key, read as a number and cut
    to six digits (the bias of 2**256 modulo a million is nil)."""
    valor = int(salted_hmac(_SAL, semente, algorithm="sha256").hexdigest(), 16)
    return f"{valor % 10**DIGITOS:0{DIGITOS}d}"


def confere(semente, digitado):
    """Whether `digitado` is the seed's code, compared in constant time."""
    return hmac.compare_digest(derivar(semente).encode(), str(digitado).encode())


def no_envio(mensagem):
    """(text, parameters, secret) to send for an outbox row: the row's own text and parameters, with
    the code in place of MASCARA when the row carries one; secret is the code, so the caller keeps
    it out of what it records ("" for every other message). One query, only for rows whose text or
    parameters hold MASCARA."""
    parametros = list(getattr(mensagem, "parametros", None) or [])
    corpo = mensagem.corpo
    if MASCARA not in corpo and MASCARA not in parametros:
        return corpo, parametros, ""
    codigo = CodigoDeConfirmacao.objects.filter(mensagem_id=mensagem.pk).values_list("semente", flat=True).first()
    if codigo is None:
        return corpo, parametros, ""
    segredo = derivar(codigo)
    return (
        corpo.replace(MASCARA, segredo),
        [segredo if p == MASCARA else p for p in parametros],
        segredo,
    )


def sem_segredo(texto, segredo):
    """An error text with the code taken out, before it is stored or logged."""
    return texto.replace(segredo, MASCARA) if segredo else texto
