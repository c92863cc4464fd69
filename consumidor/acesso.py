"""
A visitor's access to protocols (docs/dominio.md §5): granted to this browser's session for 30 minutes by a
successful number + CPF lookup or a signed link (protocolo/links.py), one protocol at a time; never
by the number alone.

A grant names the protocol and the consumer it belonged to at that moment, and holds only while it
still belongs to them: once an attendant identifies the protocol as someone else's, a session that
reached it through a lookup or a link sent to the former owner sees a 404 at its next request.
"""

import time

CHAVE = "protocolos_acessiveis"
CHAVE_CONSUMIDOR = "consumidor_acessivel"
DURACAO = 30 * 60


def _valida(concessao):
    """A grant is [expiry, owner pk or None]; anything else (an older session's format) grants nothing."""
    return isinstance(concessao, list) and len(concessao) == 2 and concessao[0] > time.time()


def conceder(session, protocolo):
    acessos = {pk: concessao for pk, concessao in session.get(CHAVE, {}).items() if _valida(concessao)}
    acessos[str(protocolo.pk)] = [time.time() + DURACAO, protocolo.consumidor_id]
    session[CHAVE] = acessos


def tem_acesso(session, protocolo):
    concessao = session.get(CHAVE, {}).get(str(protocolo.pk))
    return _valida(concessao) and concessao[1] == protocolo.consumidor_id


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


def algum_acesso(session):
    """Whether this session still holds any grant (a protocol or a consumer's demands)."""
    if any(_valida(concessao) for concessao in session.get(CHAVE, {}).values()):
        return True
    return consumidor_acessivel(session) is not None
