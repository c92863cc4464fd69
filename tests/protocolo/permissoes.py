"""What each of the five roles gets from the admin (see tests/test_permissoes.py)."""

ADMIN_LOGIN = "/admin/login/"

ESPERADO = {
    ("admin:index", "get"): [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200],
    ("admin:protocolo_protocolo_changelist", "get"): [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200],
}
