"""
A visitor's access to protocols (DESIGN §5): granted to this browser's session for 30 minutes by a
successful number + CPF lookup or a signed link, one protocol at a time; never by the number alone.

Signed links (django.core.signing, each kind with its own salt, expiring after
PROTOCOLO_LINK_DIAS days, 7 by default) come in two kinds:
- a protocol link (`/acesso/<token>/`) grants access to that protocol. It binds the protocol's
  consumer and their e-mail at sending time: once either changes, the old links stop working;
- a consumer link (`/acesso/demandas/<token>/`), sent only to the e-mail on record by the recovery,
  grants access to the history of all that consumer's demands. It binds the e-mail it was sent to:
  once the e-mail on record changes, the old links stop working.
"""

import time

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

CHAVE = "protocolos_acessiveis"
CHAVE_CONSUMIDOR = "consumidor_acessivel"
DURACAO = 30 * 60

SAL_PROTOCOLO = "consumidor.acesso.protocolo"
SAL_CONSUMIDOR = "consumidor.acesso.consumidor"


def validade_dos_links():
    """Seconds a signed link stays valid (settings.PROTOCOLO_LINK_DIAS)."""
    return settings.PROTOCOLO_LINK_DIAS * 24 * 3600


def conceder(session, protocolo):
    acessos = {pk: ate for pk, ate in session.get(CHAVE, {}).items() if ate > time.time()}
    acessos[str(protocolo.pk)] = time.time() + DURACAO
    session[CHAVE] = acessos


def tem_acesso(session, protocolo):
    return session.get(CHAVE, {}).get(str(protocolo.pk), 0) > time.time()


def conceder_consumidor(session, consumidor):
    session[CHAVE_CONSUMIDOR] = [consumidor.pk, time.time() + DURACAO]


def consumidor_acessivel(session):
    """The pk of the consumer whose demands this session may see, or None."""
    valor = session.get(CHAVE_CONSUMIDOR)
    if isinstance(valor, list) and len(valor) == 2 and valor[1] > time.time():
        return valor[0]
    return None


def pode_ver(session, protocolo):
    """Access to this protocol: granted to it, or to all demands of its consumer."""
    if tem_acesso(session, protocolo):
        return True
    dono = consumidor_acessivel(session)
    return dono is not None and dono == protocolo.consumidor_id


# Signed links -------------------------------------------------------------------------------------


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
