"""What each of the five roles gets from the admin (see tests/test_permissoes.py). Only
supervisors are staff: everyone else is sent to the admin's login. A staff member without the
supervisors' permissions is refused with 403 (tests/protocolo/test_admin.py)."""

import re

ADMIN_LOGIN = "/admin/login/"
SO_SUPERVISORES = [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200]


class Caminho(str):
    """An expected redirect target whose row id is only known at run time."""

    __slots__ = ()

    def __eq__(self, outro):
        return isinstance(outro, str) and re.fullmatch(str(self), outro) is not None

    __hash__ = str.__hash__


def supervisor(resultado):
    """Nobody but a (verified) supervisor gets past the admin's login; what they get is `resultado`."""
    return [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, resultado]


# What a supervisor gets from each page of each model the admin registers. Protocols, interactions,
# consumers, messages and the personal-data log are read-only: nobody adds or deletes them here
# (the services do; the record is evidence). Categories are edited but never deleted (protocols
# point at them); holidays are the supervisors' to manage. Accounts, login records, sequences and
# authenticator devices are the superuser's (a supervisor gets 403).
LEITURA = {"changelist": 200, "add": 403, "change": 200, "history": 200, "delete": 403}
EDICAO = {"changelist": 200, "add": 200, "change": 200, "history": 200, "delete": 403}
TUDO = {"changelist": 200, "add": 200, "change": 200, "history": 200, "delete": 200}
NADA = {"changelist": 403, "add": 403, "change": 403, "history": 403, "delete": 403}
MODELOS = {
    # A protocol's history is its timeline, in the interactions' list.
    ("protocolo", "protocolo"): LEITURA | {"history": "/admin/protocolo/interacao/"},
    ("protocolo", "interacao"): LEITURA,
    ("protocolo", "consumidor"): LEITURA,
    ("protocolo", "mensagem"): LEITURA,
    ("protocolo", "mensagemrecebida"): LEITURA,
    ("protocolo", "acessodadopessoal"): LEITURA,
    ("protocolo", "categoria"): EDICAO,
    ("protocolo", "feriado"): TUDO,
    # Canned answers keep their versions: edited, never deleted (marked inactive instead).
    ("protocolo", "respostapronta"): EDICAO,
    # Integrated systems: registered and changed, never deleted (deactivated instead).
    ("protocolo", "sistemaintegrado"): EDICAO,
    # Webhook subscriptions are kept, never deleted (deactivated instead); deliveries and their
    # attempts are a record: read-only, resent by an action.
    ("protocolo", "assinaturawebhook"): EDICAO,
    ("protocolo", "entregawebhook"): LEITURA,
    ("auth", "user"): NADA,
    ("auth", "group"): NADA,
    ("sequences", "sequence"): NADA,
    ("axes", "accessattempt"): NADA,
    ("axes", "accesslog"): NADA,
    ("axes", "accessfailurelog"): NADA,
    ("otp_totp", "totpdevice"): NADA,
}


def _do_modelo(app, modelo, acoes):
    entradas = {(f"admin:{app}_{modelo}_{acao}", "get"): supervisor(r) for acao, r in acoes.items()}
    # The bare object address redirects to its change page.
    entradas[f"admin/{app}/{modelo}/<path:object_id>/", "get"] = supervisor(
        Caminho(rf"/admin/{app}/{modelo}/[^/]+/change/")
    )
    return entradas


ESPERADO = {
    **{chave: r for (app, modelo), acoes in MODELOS.items() for chave, r in _do_modelo(app, modelo, acoes).items()},
    # A delete posted by hand is refused like the page that would confirm it.
    ("admin:protocolo_protocolo_delete", "post"): supervisor(403),
    ("admin:protocolo_interacao_delete", "post"): supervisor(403),
    ("admin:protocolo_consumidor_delete", "post"): supervisor(403),
    # Another account's password, an authenticator's key and QR code: the superuser's only.
    ("admin:auth_user_password_change", "get"): supervisor(403),
    ("admin:otp_totp_totpdevice_config", "get"): supervisor(403),
    ("admin:otp_totp_totpdevice_qrcode", "get"): supervisor(403),
    ("admin:index", "get"): SO_SUPERVISORES,
    ("admin:app_list", "get"): SO_SUPERVISORES,
    ("supervisao", "get"): SO_SUPERVISORES,
    ("admin:protocolo_protocolo_exportar", "get"): SO_SUPERVISORES,
    # A system's tokens: the list, and a POST without a known action answered on the same page.
    ("admin:protocolo_sistemaintegrado_tokens", "get"): supervisor(200),
    ("admin:protocolo_sistemaintegrado_tokens", "post"): supervisor(200),
    # An action from the protocol's page: a GET runs nothing and goes back to the page; a POST
    # without the form's fields is answered with the form and its errors.
    ("admin:protocolo_protocolo_acao", "get"): supervisor(Caminho(r"/admin/protocolo/protocolo/\d+/change/")),
    ("admin:protocolo_protocolo_acao", "post"): supervisor(200),
    ("admin:password_change", "get"): SO_SUPERVISORES,
    ("admin:password_change_done", "get"): SO_SUPERVISORES,
    ("admin:jsi18n", "get"): SO_SUPERVISORES,
    # Without its query (which model, which field) the autocomplete refuses everyone.
    ("admin:autocomplete", "get"): supervisor(403),
    # No model of ours has a public page to jump to.
    ("admin:view_on_site", "get"): supervisor(404),
    ("admin/(?P<url>.*)$", "get"): supervisor(404),
    ("admin:login", "get"): [200, 200, 200, 200, "/admin/"],
    ("admin:logout", "get"): ["/admin/", "/admin/", "/admin/", "/admin/", 405],
    # The load balancer's health check, at the root: open to anyone (tests/operacao/test_saude.py).
    ("saude", "get"): [200, 200, 200, 200, 200],
}
