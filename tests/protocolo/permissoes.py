"""What each of the five roles gets from the admin (see tests/test_permissoes.py). Only
supervisors are staff: everyone else is sent to the admin's login. A staff member without the
supervisors' permissions is refused with 403 (tests/protocolo/test_admin.py)."""

ADMIN_LOGIN = "/admin/login/"
SO_SUPERVISORES = [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200]

ESPERADO = {
    ("admin:index", "get"): SO_SUPERVISORES,
    ("supervisao", "get"): SO_SUPERVISORES,
    ("admin:protocolo_protocolo_changelist", "get"): SO_SUPERVISORES,
    ("admin:protocolo_protocolo_exportar", "get"): SO_SUPERVISORES,
    ("admin:protocolo_interacao_changelist", "get"): SO_SUPERVISORES,
    ("admin:protocolo_consumidor_changelist", "get"): SO_SUPERVISORES,
    ("admin:protocolo_categoria_changelist", "get"): SO_SUPERVISORES,
    ("admin:protocolo_categoria_add", "get"): SO_SUPERVISORES,
    ("admin:protocolo_feriado_changelist", "get"): SO_SUPERVISORES,
    ("admin:protocolo_feriado_add", "get"): SO_SUPERVISORES,
    ("admin:protocolo_mensagem_changelist", "get"): SO_SUPERVISORES,
    ("admin:protocolo_acessodadopessoal_changelist", "get"): SO_SUPERVISORES,
    # Nobody adds a protocol, an interaction or a consumer here: the services do.
    ("admin:protocolo_protocolo_add", "get"): [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403],
    ("admin:protocolo_interacao_add", "get"): [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403],
    ("admin:protocolo_consumidor_add", "get"): [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403],
}
