"""
Signed links sent to consumers (django.core.signing, each kind with its own salt, expiring after
PROTOCOLO_LINK_DIAS days, 7 by default). Two kinds:
- a protocol link (`/acesso/<token>/`) grants access to that protocol. It binds the protocol's
  consumer and the contact it was sent to at sending time: once the protocol changes owner, or the
  contact is closed (a re-binding) or no longer reaches the protocol, the old links stop working;
- a consumer link (`/acesso/demandas/<token>/`), sent only to a contact bound to the consumer by the
  recovery, grants access to the history of all that consumer's demands. It binds that contact:
  once it is closed (a re-binding), the old links stop working.

The services put them in messages; the portal reads them (protocolo/selectors.py) and grants the
session access (consumidor/acesso.py).
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

# The salts sign every link already sent: they keep the names they had when those were made.
SAL_PROTOCOLO = "consumidor.acesso.protocolo"
SAL_CONSUMIDOR = "consumidor.acesso.consumidor"


def validade_dos_links():
    """Seconds a signed link stays valid (settings.PROTOCOLO_LINK_DIAS)."""
    return settings.PROTOCOLO_LINK_DIAS * 24 * 3600


def _selo_protocolo(protocolo, contato_id):
    return salted_hmac(
        SAL_PROTOCOLO, f"{protocolo.consumidor_id or ''}|{contato_id or ''}", algorithm="sha256"
    ).hexdigest()[:20]


def token_protocolo(protocolo, contato=None):
    contato_id = contato.pk if contato is not None else None
    return signing.dumps(
        {"p": protocolo.pk, "k": contato_id, "e": _selo_protocolo(protocolo, contato_id)},
        salt=SAL_PROTOCOLO,
        compress=True,
    )


def _ler(token, sal, chave):
    """(pk, contact pk or None, seal) a link of this kind carries, or None when forged, expired or
    malformed."""
    try:
        dados = signing.loads(token, salt=sal, max_age=validade_dos_links())
    except signing.BadSignature:
        return None
    if not isinstance(dados, dict) or not isinstance(dados.get(chave), int) or not isinstance(dados.get("e"), str):
        return None
    contato = dados.get("k")
    if contato is not None and not isinstance(contato, int):
        return None
    return dados[chave], contato, dados["e"]


def protocolo_do_token(token):
    """(protocol pk, contact pk or None, owner seal) a link grants, or None when forged or expired."""
    return _ler(token, SAL_PROTOCOLO, "p")


def selo_do_protocolo_confere(protocolo, contato_id, selo):
    """Whether the protocol still belongs to the consumer it belonged to when the link was sent to
    that contact (the caller checks the contact still reaches the protocol)."""
    return constant_time_compare(_selo_protocolo(protocolo, contato_id), selo)


def _selo_contato(consumidor_id, contato_id):
    return salted_hmac(SAL_CONSUMIDOR, f"{consumidor_id}|{contato_id}", algorithm="sha256").hexdigest()[:20]


def token_consumidor(consumidor, contato):
    return signing.dumps(
        {"c": consumidor.pk, "k": contato.pk, "e": _selo_contato(consumidor.pk, contato.pk)},
        salt=SAL_CONSUMIDOR,
        compress=True,
    )


def consumidor_do_token(token):
    """(consumer pk, contact pk, seal) a link grants, or None when forged or expired."""
    dados = _ler(token, SAL_CONSUMIDOR, "c")
    return dados if dados is not None and dados[1] is not None else None


def selo_confere(consumidor_id, contato_id, selo):
    return constant_time_compare(_selo_contato(consumidor_id, contato_id), selo)


def link_protocolo(protocolo, contato=None):
    return settings.PROTOCOLO_URL_BASE + reverse("consumidor:acesso", args=[token_protocolo(protocolo, contato)])


def link_consumidor(consumidor, contato):
    return settings.PROTOCOLO_URL_BASE + reverse(
        "consumidor:acesso_demandas", args=[token_consumidor(consumidor, contato)]
    )
