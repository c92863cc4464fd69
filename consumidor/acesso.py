"""
A visitor's access to protocols (DESIGN §5): granted to this browser's session for 30 minutes by a
successful number + CPF lookup or a signed link (protocolo/links.py), one protocol at a time; never
by the number alone.
"""

import time

CHAVE = "protocolos_acessiveis"
CHAVE_CONSUMIDOR = "consumidor_acessivel"
DURACAO = 30 * 60


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
