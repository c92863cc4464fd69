"""
Signed links sent to consumers (django.core.signing, each kind with its own salt, expiring after
PROTOCOLO_LINK_DIAS days, 7 by default). Two kinds:
- a protocol link (`/acesso/<token>/`) grants access to that protocol. It binds the protocol's
  consumer and their e-mail at sending time: once either changes, the old links stop working;
- a consumer link (`/acesso/demandas/<token>/`), sent only to the e-mail on record by the recovery,
  grants access to the history of all that consumer's demands. It binds the e-mail it was sent to:
  once the e-mail on record changes, the old links stop working.

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


def _selo_protocolo(protocolo):
    consumidor = protocolo.consumidor
    dono = f"{consumidor.pk}|{consumidor.email.strip().lower()}" if consumidor else ""
    return salted_hmac(SAL_PROTOCOLO, dono, algorithm="sha256").hexdigest()[:20]


def token_protocolo(protocolo):
    return signing.dumps({"p": protocolo.pk, "e": _selo_protocolo(protocolo)}, salt=SAL_PROTOCOLO, compress=True)


def _ler(token, sal, chave):
    """(pk, seal) a link of this kind carries, or None when forged, expired or malformed."""
    try:
        dados = signing.loads(token, salt=sal, max_age=validade_dos_links())
    except signing.BadSignature:
        return None
    if not isinstance(dados, dict) or not isinstance(dados.get(chave), int) or not isinstance(dados.get("e"), str):
        return None
    return dados[chave], dados["e"]


def protocolo_do_token(token):
    """(protocol pk, owner seal) a link grants, or None when forged or expired."""
    return _ler(token, SAL_PROTOCOLO, "p")


def selo_do_protocolo_confere(protocolo, selo):
    """Whether the protocol still belongs to the consumer, and e-mail, the link was sent to."""
    return constant_time_compare(_selo_protocolo(protocolo), selo)


def _selo_email(email):
    return salted_hmac(SAL_CONSUMIDOR, email.strip().lower(), algorithm="sha256").hexdigest()[:20]


def token_consumidor(consumidor):
    return signing.dumps({"c": consumidor.pk, "e": _selo_email(consumidor.email)}, salt=SAL_CONSUMIDOR, compress=True)


def consumidor_do_token(token):
    """(consumer pk, e-mail seal) a link grants, or None when forged or expired."""
    return _ler(token, SAL_CONSUMIDOR, "c")


def selo_confere(consumidor, selo):
    return bool(consumidor.email) and constant_time_compare(_selo_email(consumidor.email), selo)


def link_protocolo(protocolo):
    return settings.PROTOCOLO_URL_BASE + reverse("consumidor:acesso", args=[token_protocolo(protocolo)])


def link_consumidor(consumidor):
    return settings.PROTOCOLO_URL_BASE + reverse("consumidor:acesso_demandas", args=[token_consumidor(consumidor)])
