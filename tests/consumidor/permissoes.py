"""What each of the five roles gets from each public URL (see tests/test_permissoes.py).

Only the visitor holds access to `clientes.protocolo` (number + CPF or signed link in this browser's
session); every other role, logged in or not, gets the same 404 as a number that does not exist. The
portal is not the back-office: being an attendant grants nothing here."""

import datetime
import re

from protocolo import integridade, links, relogio, selectors, services
from protocolo.models import LinkCurto
from protocolo.services import contatos
from tests.anexos.arquivos import anexo_publico
from tests.factories import ConsumidorFactory


class Caminho(str):
    """An expected redirect target whose protocol number is only known at run time."""

    __slots__ = ()

    def __eq__(self, outro):
        return isinstance(outro, str) and re.fullmatch(str(self), outro) is not None

    __hash__ = str.__hash__


PROTOCOLO = Caminho(r"/protocolo/[0-9]+/")
CANAIS = Caminho(r"/protocolo/[0-9]+/#canais")
DEMANDAS = "/demandas/"

SEMPRE_200 = [200, 200, 200, 200, 200]
SEMPRE_405 = [405, 405, 405, 405, 405]
SO_VISITANTE = [404, 200, 404, 404, 404]

ESPERADO = {
    ("consumidor:inicio", "get"): SEMPRE_200,
    ("consumidor:consultar", "post"): SEMPRE_200,  # empty form: errors in Portuguese
    ("consumidor:consultar", "get"): SEMPRE_405,
    ("consumidor:abrir", "get"): SEMPRE_200,
    ("consumidor:abrir", "post"): SEMPRE_200,
    ("consumidor:recuperar", "get"): SEMPRE_200,
    ("consumidor:recuperar", "post"): SEMPRE_200,
    ("consumidor:privacidade", "get"): SEMPRE_200,
    ("consumidor:privacidade", "post"): SEMPRE_200,
    ("consumidor:acesso", "get"): [PROTOCOLO] * 5,  # a signed link grants access to whoever holds it
    ("consumidor:acesso", "post"): SEMPRE_405,
    ("consumidor:acesso_demandas", "get"): [DEMANDAS] * 5,
    # A short link of an SMS or WhatsApp text grants access as the signed link does.
    ("consumidor:link_curto", "get"): [PROTOCOLO] * 5,
    ("consumidor:link_curto", "post"): SEMPRE_405,
    ("consumidor:demandas", "get"): [404, 404, 404, 404, 404],  # only after a recovery link
    ("consumidor:demandas_json", "get"): [404, 404, 404, 404, 404],
    ("consumidor:protocolo", "get"): SO_VISITANTE,
    ("consumidor:protocolo", "post"): SEMPRE_405,
    ("consumidor:mensagem", "post"): SO_VISITANTE,  # empty message: the page again, with the error
    ("consumidor:mensagem", "get"): SEMPRE_405,
    ("consumidor:pedir_supervisao", "post"): [404, PROTOCOLO, 404, 404, 404],  # refused: not overdue
    ("consumidor:pedir_supervisao", "get"): SEMPRE_405,
    ("consumidor:resposta", "post"): SO_VISITANTE,
    ("consumidor:resposta", "get"): SEMPRE_405,
    # The telephone's code and the channels: an empty form comes back with its error; an empty
    # preference is "no preference", already the protocol's, so the page again.
    ("consumidor:confirmar_telefone", "post"): SO_VISITANTE,
    ("consumidor:confirmar_telefone", "get"): SEMPRE_405,
    ("consumidor:novo_codigo", "post"): SO_VISITANTE,
    ("consumidor:novo_codigo", "get"): SEMPRE_405,
    ("consumidor:preferir_canal", "post"): [404, CANAIS, 404, 404, 404],
    ("consumidor:preferir_canal", "get"): SEMPRE_405,
    ("consumidor:canal_do_telefone", "post"): SO_VISITANTE,
    ("consumidor:canal_do_telefone", "get"): SEMPRE_405,
    ("consumidor:comprovante", "get"): SO_VISITANTE,
    ("consumidor:comprovante_pdf", "get"): SO_VISITANTE,  # the same access as the receipt page
    ("consumidor:comprovante_pdf", "post"): SEMPRE_405,
    ("consumidor:dossie_pdf", "get"): SO_VISITANTE,
    ("consumidor:dossie_pdf", "post"): SEMPRE_405,
    ("consumidor:historico", "get"): SO_VISITANTE,
    # A public entry's file, to whoever sees the page; internal ones in tests/anexos/test_acesso.py.
    ("consumidor:anexo", "get"): SO_VISITANTE,
    ("consumidor:anexo", "post"): SEMPRE_405,
    ("consumidor:historico_json", "get"): SO_VISITANTE,
    ("consumidor:indicadores", "get"): SEMPRE_200,  # aggregates only; published in the test settings
    ("consumidor:indicadores", "post"): SEMPRE_405,
    ("consumidor:verificar_inicio", "get"): SEMPRE_200,
    ("consumidor:verificar_inicio", "post"): SEMPRE_200,  # no file: the form's error in Portuguese
    ("consumidor:certificado", "get"): SEMPRE_200,  # public: how to verify a PDF without us
    ("consumidor:certificado", "post"): SEMPRE_405,
    ("consumidor:certificado_pem", "get"): SEMPRE_200,
    ("consumidor:certificado_pem", "post"): SEMPRE_405,
    ("consumidor:certificado_icp_pem", "get"): SEMPRE_200,  # public: the pinned ICP-Brasil roots
    ("consumidor:certificado_icp_pem", "post"): SEMPRE_405,
    ("consumidor:verificar", "get"): SEMPRE_200,  # public: a valid code
    # Sign-in with OpenID Connect: no provider is configured here, so none exists (tests/oidc).
    ("consumidor:entrar", "get"): [404, 404, 404, 404, 404],
    ("consumidor:entrar", "post"): SEMPRE_405,
    ("consumidor:entrar_retorno", "get"): [404, 404, 404, 404, 404],
    ("consumidor:entrar_retorno", "post"): SEMPRE_405,
    ("consumidor:sair", "post"): ["/"] * 5,  # ends whatever this browser holds on the portal
    ("consumidor:sair", "get"): SEMPRE_405,
    # Whoever holds a confirmation link sees the button (GET) and confirms (POST): it proves
    # control of the address, never ownership of a CPF, so any role gets the same page.
    ("consumidor:confirmar", "get"): SEMPRE_200,
    ("consumidor:confirmar", "post"): SEMPRE_200,
}

_numero = lambda protocolo: {"numero": protocolo.numero}  # noqa: E731


def _token_de_todas_as_demandas():
    consumidor = ConsumidorFactory()
    return links.token_consumidor(consumidor, consumidor.contatos.get(tipo="email"))


def _link_curto(protocolo):
    """A short link sent to a confirmed telephone of the protocol, as an SMS carries one."""
    contato = services.contato_do_protocolo(
        protocolo=protocolo, tipo="telefone", valor="11987654321", origem="atendimento", confirmado=True
    )
    agora = relogio.agora()
    link = LinkCurto.objects.create(
        codigo=LinkCurto.novo_codigo(),
        protocolo=protocolo,
        contato=contato,
        consumidor_id=protocolo.consumidor_id,
        expira_em=agora + datetime.timedelta(days=1),
    )
    return {"codigo": link.codigo}


ARGUMENTOS = {
    "consumidor:acesso": lambda protocolo: {"token": links.token_protocolo(protocolo)},
    "consumidor:acesso_demandas": lambda protocolo: {"token": _token_de_todas_as_demandas()},
    "consumidor:link_curto": _link_curto,
    "consumidor:confirmar": lambda protocolo: {
        "token": contatos.token_confirmacao(
            services.contato_do_protocolo(
                protocolo=protocolo, tipo="email", valor="digitado@exemplo.com.br", origem="portal"
            )
        )
    },
    "consumidor:protocolo": _numero,
    "consumidor:mensagem": _numero,
    "consumidor:pedir_supervisao": _numero,
    "consumidor:resposta": _numero,
    "consumidor:confirmar_telefone": _numero,
    "consumidor:novo_codigo": _numero,
    "consumidor:preferir_canal": _numero,
    "consumidor:canal_do_telefone": _numero,
    "consumidor:comprovante": _numero,
    "consumidor:comprovante_pdf": _numero,
    "consumidor:dossie_pdf": _numero,
    "consumidor:historico": _numero,
    "consumidor:historico_json": _numero,
    "consumidor:anexo": lambda protocolo: anexo_publico(protocolo),
    "consumidor:entrar": lambda protocolo: {"provedor": "empresa"},
    "consumidor:entrar_retorno": lambda protocolo: {"provedor": "empresa"},
    "consumidor:verificar": lambda protocolo: {
        "codigo": integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    },
}
