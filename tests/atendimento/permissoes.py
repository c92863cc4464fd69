"""What each of the five roles gets from each back-office URL (see tests/test_permissoes.py)."""

LOGIN = "/atendimento/entrar/"
PAINEL = "/atendimento/"

ESPERADO = {
    ("atendimento:entrar", "get"): [200, 200, PAINEL, PAINEL, PAINEL],
    ("atendimento:sair", "post"): [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN],
    ("atendimento:sair", "get"): [405, 405, 405, 405, 405],
    ("atendimento:painel", "get"): [LOGIN, LOGIN, 403, 200, 200],
    ("atendimento:painel", "post"): [405, 405, 405, 405, 405],
}
