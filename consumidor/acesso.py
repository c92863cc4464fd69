"""
A visitor's access to protocols (DESIGN §5): granted to this browser's session for 30 minutes by a
successful number + CPF lookup or a signed link, one protocol at a time; never by the number alone.
"""

import time

CHAVE = "protocolos_acessiveis"
DURACAO = 30 * 60


def conceder(session, protocolo):
    acessos = {pk: ate for pk, ate in session.get(CHAVE, {}).items() if ate > time.time()}
    acessos[str(protocolo.pk)] = time.time() + DURACAO
    session[CHAVE] = acessos


def tem_acesso(session, protocolo):
    return session.get(CHAVE, {}).get(str(protocolo.pk), 0) > time.time()
