"""Portuguese names for the models the admin hosts from other apps (the authenticator devices, the
login records, the number sequences): they ship English names, some not even marked for
translation, and the admin shows them in its menu, headings and column titles."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from sequences.models import Sequence

APLICACOES = {
    "otp_totp": "Verificação em duas etapas",
    "axes": "Tentativas de acesso",
    "sequences": "Sequências",
}

MODELOS = {
    TOTPDevice: ("dispositivo autenticador", "dispositivos autenticadores"),
    AccessAttempt: ("tentativa de acesso", "tentativas de acesso"),
    AccessFailureLog: ("falha de acesso", "falhas de acesso"),
    AccessLog: ("registro de acesso", "registros de acesso"),
    Sequence: ("sequência", "sequências"),
}

CAMPOS = {
    TOTPDevice: {
        "user": "usuário",
        "name": "nome",
        "confirmed": "confirmado",
        "created_at": "criado em",
        "last_used_at": "último uso em",
        "key": "chave",
        "step": "intervalo (s)",
        "t0": "início (t0)",
        "digits": "dígitos",
        "tolerance": "tolerância",
        "drift": "desvio",
        "last_t": "último passo usado",
        "throttling_failure_timestamp": "última falha",
        "throttling_failure_count": "falhas seguidas",
    },
    AccessAttempt: {
        "user_agent": "navegador",
        "ip_address": "endereço IP",
        "username": "usuário",
        "http_accept": "cabeçalho Accept",
        "path_info": "caminho",
        "attempt_time": "momento",
        "get_data": "dados do GET",
        "post_data": "dados do POST",
        "failures_since_start": "falhas de login",
    },
    AccessFailureLog: {
        "user_agent": "navegador",
        "ip_address": "endereço IP",
        "username": "usuário",
        "http_accept": "cabeçalho Accept",
        "path_info": "caminho",
        "attempt_time": "momento",
        "locked_out": "bloqueado",
    },
    AccessLog: {
        "user_agent": "navegador",
        "ip_address": "endereço IP",
        "username": "usuário",
        "http_accept": "cabeçalho Accept",
        "path_info": "caminho",
        "attempt_time": "momento",
        "logout_time": "saída",
        "session_hash": "sessão (hash)",
    },
    Sequence: {"name": "nome", "last": "último número"},
}


def traduzir():
    for rotulo, nome in APLICACOES.items():
        apps.get_app_config(rotulo).verbose_name = nome
    for modelo, (singular, plural) in MODELOS.items():
        modelo._meta.verbose_name = singular
        modelo._meta.verbose_name_plural = plural
    for modelo, campos in CAMPOS.items():
        nomes = {campo.name for campo in modelo._meta.get_fields()}
        for nome, rotulo in campos.items():
            if nome in nomes:
                modelo._meta.get_field(nome).verbose_name = rotulo
    # Registered before this module is imported (its app comes first in INSTALLED_APPS).
    if TOTPDevice in admin.site._registry:
        admin.site._registry[TOTPDevice].search_help_text = "Usuário ou e-mail do dono do dispositivo."
