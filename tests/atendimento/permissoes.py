"""What each of the roles gets from each back-office URL (see tests/test_permissoes.py).

Order: anonymous, visitor holding a protocol, logged in without a group, attendant, supervisor. A
string is the path the answer redirects to; 302 is a redirect to the protocol's own page. POSTs go
without data: an empty form comes back (200) with its errors, an action on a protocol without a
consumer is refused with a message and a redirect."""

from tests.anexos.arquivos import anexo_interno

LOGIN = "/atendimento/entrar/"
PAINEL = "/atendimento/"
PAGINA = [LOGIN, LOGIN, 403, 200, 200]
ACAO_GET = [405, 405, 405, 405, 405]
FORMULARIO = [LOGIN, LOGIN, 403, 200, 200]
SUPERVISAO = [LOGIN, LOGIN, 403, 403, 200]
RECUSA = [LOGIN, LOGIN, 403, 302, 302]
ABERTA_A_TODOS = [200, 200, 200, 200, 200]
VERIFICACAO = [LOGIN, LOGIN, 403, 403, "/admin/"]
# A supervisor's power whose GET is already its page (the form asks what the power needs): a
# supervisor without the code is sent to it there too.
PODERES_COM_PAGINA = {"atendimento:remover_anexo"}
REDEFINICAO = ["senha_redefinir", "senha_redefinir_enviada", "senha_redefinir_concluida", "senha_redefinir_nova"]
SEGUNDO_FATOR = ["verificacao", "verificacao_ativar"]

ACOES = {
    "identificar": FORMULARIO,
    "vincular": FORMULARIO,
    # An empty preference is "no preference", already the protocol's: the page again.
    "preferencia": RECUSA,
    "canal_telefone": FORMULARIO,
    "categoria": FORMULARIO,
    "objeto": FORMULARIO,
    "interacao": FORMULARIO,
    "situacao": FORMULARIO,
    "assumir": FORMULARIO,
    "atribuir": SUPERVISAO,
    "escalar": FORMULARIO,
    "resolver": FORMULARIO,
    "reabrir": FORMULARIO,
    "duplicado": FORMULARIO,
    "sem_demanda": FORMULARIO,
    "cancelar": SUPERVISAO,
    "prorrogar": SUPERVISAO,
    "enviar_numero": RECUSA,
    "mostrar_cpf": RECUSA,
}

ESPERADO = {
    ("atendimento:entrar", "get"): [200, 200, PAINEL, PAINEL, PAINEL],
    ("atendimento:sair", "post"): [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN],
    ("atendimento:sair", "get"): ACAO_GET,
    ("atendimento:painel", "get"): PAGINA,
    # The consumer's signed dossiê (public entries only), for the team to hand over.
    ("atendimento:dossie_pdf", "get"): PAGINA,
    ("atendimento:dossie_pdf", "post"): ACAO_GET,
    # A file of the protocol, public or internal (tests/anexos/test_acesso.py): the page's access.
    ("atendimento:anexo", "get"): PAGINA,
    ("atendimento:anexo", "post"): ACAO_GET,
    # Removing a file by legal order: a supervisor's power (empty form: the page again, with errors).
    ("atendimento:remover_anexo", "get"): SUPERVISAO,
    ("atendimento:remover_anexo", "post"): SUPERVISAO,
    ("atendimento:painel", "post"): ACAO_GET,
    ("atendimento:senha", "get"): PAGINA,
    ("atendimento:senha_alterada", "get"): PAGINA,
    ("atendimento:iniciar", "post"): [LOGIN, LOGIN, 403, PAINEL, PAINEL],
    ("atendimento:iniciar", "get"): ACAO_GET,
    ("atendimento:novo", "get"): PAGINA,
    ("atendimento:novo", "post"): FORMULARIO,
    ("atendimento:protocolo", "get"): PAGINA,
    ("atendimento:protocolo", "post"): ACAO_GET,
    ("atendimento:consumidores", "get"): PAGINA,
    ("atendimento:consumidores", "post"): ACAO_GET,
    **{(f"atendimento:{acao}", "post"): esperado for acao, esperado in ACOES.items()},
    **{(f"atendimento:{acao}", "get"): ACAO_GET for acao in ACOES},
    # Password reset by e-mail: open to anyone, the same page whoever asks (an empty form comes
    # back with its error; a made-up link is "invalid link").
    **{(f"atendimento:{nome}", "get"): ABERTA_A_TODOS for nome in REDEFINICAO},
    ("atendimento:senha_redefinir", "post"): ABERTA_A_TODOS,
    ("atendimento:senha_redefinir_nova", "post"): ABERTA_A_TODOS,
    ("atendimento:senha_redefinir_enviada", "post"): ACAO_GET,
    ("atendimento:senha_redefinir_concluida", "post"): ACAO_GET,
    # The second factor's pages: staff only, the back-office's own second factor being off here
    # (tests/settings.py; on, everyone in the back-office: test_segundo_fator_retaguarda.py); the
    # (verified) supervisor is sent on to the admin.
    **{(f"atendimento:{nome}", metodo): VERIFICACAO for nome in SEGUNDO_FATOR for metodo in ("get", "post")},
}


def _numero(protocolo):
    return {"numero": protocolo.numero}


ARGUMENTOS = {
    "atendimento:protocolo": _numero,
    "atendimento:dossie_pdf": _numero,
    "atendimento:anexo": lambda protocolo: anexo_interno(protocolo),
    "atendimento:remover_anexo": lambda protocolo: anexo_interno(protocolo),
    **{f"atendimento:{acao}": _numero for acao in ACOES},
    "atendimento:senha_redefinir_nova": lambda protocolo: {"uidb64": "MQ", "token": "inventado-123"},
}

# Where the Ouvidoria's column differs from the attendants' (tests/test_permissoes.py): it assigns
# within its nível, a supervisor's power, so a session without the second factor is sent to it.
OUVIDORIA = {("atendimento:atribuir", "post"): "/atendimento/verificacao/"}
