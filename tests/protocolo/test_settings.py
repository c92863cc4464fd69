"""The settings module read as production reads it, in a fresh interpreter each time."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

RAIZ = Path(__file__).resolve().parents[2]

PRODUCAO = {
    "DEBUG": "0",
    "SECRET_KEY": "s" * 60,
    "ALLOWED_HOSTS": "protocolo.exemplo.com.br",
    "PROTOCOLO_URL_BASE": "https://protocolo.exemplo.com.br",
    "PROTOCOLO_CHAVES_INTEGRIDADE": "1:" + "ab" * 32,
    "PROTOCOLO_CHAVES_COMPROVANTE": "1:" + "cd" * 32,
    "PROTOCOLO_EMPRESA_CNPJ": "11222333000181",
}


def ler(ambiente, *nomes):
    """The named settings as JSON, or the error the settings module raised."""
    codigo = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(nomes)!r}}}, default=repr))"
    )
    proprias = ("PROTOCOLO_", "DEBUG", "SECRET_KEY", "MAILER_URL", "DATABASE_", "REDIS_URL", "ALLOWED_HOSTS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(proprias)}
    env |= {"DJANGO_SETTINGS_MODULE": "protocolo.settings", **ambiente}
    resultado = subprocess.run([sys.executable, "-c", codigo], cwd=RAIZ, env=env, capture_output=True, text=True)
    if resultado.returncode:
        return resultado.stderr.strip().splitlines()[-1]
    return json.loads(resultado.stdout)


@pytest.mark.parametrize(
    "faltando", ["SECRET_KEY", "PROTOCOLO_URL_BASE", "PROTOCOLO_CHAVES_INTEGRIDADE", "PROTOCOLO_EMPRESA_CNPJ"]
)
def test_production_refuses_to_start_without_its_secrets(faltando):
    ambiente = {k: v for k, v in PRODUCAO.items() if k != faltando}

    erro = ler(ambiente, "DEBUG")

    assert erro.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert erro.endswith(f"A variável de ambiente {faltando} é obrigatória fora do modo DEBUG.")


@pytest.mark.parametrize(("dado", "esperado"), [("11222333000181", "11.222.333/0001-81"), ("11.222.333/0001-81", None)])
def test_the_companys_cnpj_is_kept_formatted(dado, esperado):
    valores = ler(PRODUCAO | {"PROTOCOLO_EMPRESA_CNPJ": dado}, "PROTOCOLO_EMPRESA_CNPJ")

    assert valores["PROTOCOLO_EMPRESA_CNPJ"] == (esperado or dado)


@pytest.mark.parametrize("dado", ["11.222.333/0001-82", "1122233300018", "abc"])
def test_a_cnpj_with_wrong_digits_stops_the_start(dado):
    erro = ler(PRODUCAO | {"PROTOCOLO_EMPRESA_CNPJ": dado}, "PROTOCOLO_EMPRESA_CNPJ")

    assert erro.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert erro.endswith(f"PROTOCOLO_EMPRESA_CNPJ: {dado!r} não é um CNPJ válido (confira os dígitos).")


def test_the_public_figures_are_off_in_production_and_on_in_the_demo():
    assert ler(PRODUCAO, "PROTOCOLO_INDICADORES_PUBLICOS") == {"PROTOCOLO_INDICADORES_PUBLICOS": False}
    assert ler({"DEBUG": "1"}, "PROTOCOLO_INDICADORES_PUBLICOS") == {"PROTOCOLO_INDICADORES_PUBLICOS": True}
    publicado = ler(PRODUCAO | {"PROTOCOLO_INDICADORES_PUBLICOS": "1"}, "PROTOCOLO_INDICADORES_PUBLICOS")
    assert publicado == {"PROTOCOLO_INDICADORES_PUBLICOS": True}


def test_development_runs_on_sqlite_with_local_defaults():
    valores = ler({"DEBUG": "1"}, "DATABASES", "MAILERS", "PROTOCOLO_URL_BASE")

    assert valores["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert valores["DATABASES"]["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert valores["MAILERS"]["default"]["BACKEND"] == "protocolo.operacao.console.EmailBackend"
    assert valores["PROTOCOLO_URL_BASE"] == "http://127.0.0.1:8000"


def test_versioned_keys_are_read_and_the_highest_signs():
    valores = ler(
        PRODUCAO | {"PROTOCOLO_CHAVES_INTEGRIDADE": f"1:{'ab' * 32}, 2:{'cd' * 32}"}, "PROTOCOLO_CHAVES_INTEGRIDADE"
    )

    assert valores["PROTOCOLO_CHAVES_INTEGRIDADE"] == {
        "1": repr(bytes.fromhex("ab" * 32)),
        "2": repr(bytes.fromhex("cd" * 32)),
    }


@pytest.mark.parametrize("valor", ["1:naohex", "sem-versao", "1:" + "ab" * 8])
def test_a_malformed_or_short_key_is_refused(valor):
    erro = ler(PRODUCAO | {"PROTOCOLO_CHAVES_COMPROVANTE": valor}, "DEBUG")

    assert erro.startswith("django.core.exceptions.ImproperlyConfigured: PROTOCOLO_CHAVES_COMPROVANTE")


def test_smtp_mailer_url_becomes_the_default_mailer():
    url = "smtp://usuario%40empresa:s%3Acreta@smtp.exemplo.com.br:587?tls=1"

    valores = ler(PRODUCAO | {"MAILER_URL": url}, "MAILERS")

    assert valores["MAILERS"]["default"] == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.exemplo.com.br",
            "port": 587,
            "username": "usuario@empresa",
            "password": "s:creta",
            "use_ssl": False,
            "use_tls": True,
            "timeout": 10,
        },
    }


def test_production_is_https_only():
    valores = ler(PRODUCAO, "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS")

    assert valores == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }


def test_an_unknown_mailer_scheme_is_refused():
    erro = ler(PRODUCAO | {"MAILER_URL": "pombo://correio"}, "MAILERS")

    assert "MAILER_URL com esquema desconhecido: 'pombo'" in erro


def verificar_implantacao(ambiente):
    """`check --deploy --fail-level WARNING` under the production settings; (exit code, output)."""
    codigo = "import django; django.setup(); from django.core.management import call_command; " + (
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    # DJANGO_*: the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is itself a deployment error.
    proprias = (
        "PROTOCOLO_",
        "DJANGO_",
        "DEBUG",
        "SECRET_KEY",
        "MAILER_URL",
        "DATABASE_",
        "REDIS_URL",
        "ALLOWED_HOSTS",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(proprias)}
    env |= {
        "DJANGO_SETTINGS_MODULE": "protocolo.settings",
        "MAILER_URL": "smtp://127.0.0.1:25",
        # The tests' development certificate stands for the company's e-CNPJ (docs/evidencias.md).
        "PROTOCOLO_ASSINATURA_PKCS12": settings.PROTOCOLO_ASSINATURA_PKCS12,
        "PROTOCOLO_ASSINATURA_SENHA": settings.PROTOCOLO_ASSINATURA_SENHA,
        **ambiente,
    }
    env["SECRET_KEY"] = secrets.token_urlsafe(48)
    resultado = subprocess.run([sys.executable, "-c", codigo], cwd=RAIZ, env=env, capture_output=True, text=True)
    return resultado.returncode, resultado.stdout + resultado.stderr


def test_production_without_a_shared_cache_fails_the_deployment_check():
    # Two gunicorn workers with a local-memory cache each counted their own limits: the first 429
    # came at the 40th lookup instead of the 20th.
    codigo, saida = verificar_implantacao(PRODUCAO)

    assert codigo != 0
    assert "protocolo.E001" in saida
    assert "Defina REDIS_URL" in saida


def test_production_with_redis_passes_the_shared_cache_check():
    codigo, saida = verificar_implantacao(PRODUCAO | {"REDIS_URL": "redis://127.0.0.1:6379/0"})

    assert "protocolo.E001" not in saida
    assert codigo == 0, saida


def test_production_without_a_signing_certificate_fails_the_deployment_check():
    codigo, saida = verificar_implantacao(
        PRODUCAO | {"REDIS_URL": "redis://127.0.0.1:6379/0", "PROTOCOLO_ASSINATURA_PKCS12": ""}
    )

    assert codigo != 0
    assert "protocolo.E002" in saida
    assert "PROTOCOLO_ASSINATURA_PKCS12" in saida


def test_a_signing_certificate_that_does_not_open_fails_the_deployment_check():
    codigo, saida = verificar_implantacao(
        PRODUCAO | {"REDIS_URL": "redis://127.0.0.1:6379/0", "PROTOCOLO_ASSINATURA_SENHA": "errada"}
    )

    assert codigo != 0
    assert "protocolo.E003" in saida
    assert "não foi possível abrir" in saida


def test_a_signing_certificate_path_that_does_not_exist_is_refused():
    erro = ler(PRODUCAO | {"PROTOCOLO_ASSINATURA_PKCS12": "/nao/existe.p12"}, "PROTOCOLO_ASSINATURA_PKCS12")

    assert "PROTOCOLO_ASSINATURA_PKCS12: o arquivo '/nao/existe.p12' não existe." in erro


def test_limits_of_the_pdf_check_that_would_refuse_every_pdf_are_refused():
    erro = ler(PRODUCAO | {"PROTOCOLO_VERIFICACAO_PDF_MEMORIA_MB": "64"}, "PROTOCOLO_VERIFICACAO_PDF_MEMORIA_MB")

    assert "PROTOCOLO_VERIFICACAO_PDF_MEMORIA_MB de 256 para cima" in erro


def test_the_whole_back_office_asks_for_the_second_factor_in_production_and_not_in_the_demo():
    assert ler(PRODUCAO, "PROTOCOLO_SEGUNDO_FATOR_ATENDENTES") == {"PROTOCOLO_SEGUNDO_FATOR_ATENDENTES": True}
    assert ler({"DEBUG": "1"}, "PROTOCOLO_SEGUNDO_FATOR_ATENDENTES") == {"PROTOCOLO_SEGUNDO_FATOR_ATENDENTES": False}
    assert ler({"DEBUG": "1", "PROTOCOLO_SEGUNDO_FATOR_ATENDENTES": "1"}, "PROTOCOLO_SEGUNDO_FATOR_ATENDENTES") == {
        "PROTOCOLO_SEGUNDO_FATOR_ATENDENTES": True
    }


def test_production_without_the_attendants_second_factor_warns_at_the_deployment_check():
    codigo, saida = verificar_implantacao(
        PRODUCAO | {"REDIS_URL": "redis://127.0.0.1:6379/0", "PROTOCOLO_SEGUNDO_FATOR_ATENDENTES": "0"}
    )

    assert codigo != 0
    assert "protocolo.W001" in saida
    assert "PROTOCOLO_SEGUNDO_FATOR_ATENDENTES" in saida
    assert "protocolo.E001" not in saida


POSTGRES = PRODUCAO | {"DATABASE_URL": "postgres://protocolo:senha@primario.interno:5432/protocolo"}


def test_without_a_replica_url_there_is_one_database_with_persistent_connections():
    bancos = ler(POSTGRES, "DATABASES")["DATABASES"]

    assert list(bancos) == ["default"]
    assert bancos["default"]["CONN_MAX_AGE"] == 60
    assert bancos["default"]["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in bancos["default"]["OPTIONS"]


def test_a_replica_url_adds_a_read_only_alias_with_the_primarys_timeouts():
    ambiente = POSTGRES | {
        "DATABASE_REPLICA_URL": "postgres://leitor:senha@replica.interna:5433/protocolo",
        "PROTOCOLO_REPLICA_JANELA": "3",
    }

    valores = ler(ambiente, "DATABASES", "PROTOCOLO_REPLICA_JANELA")
    replica = valores["DATABASES"]["replica"]

    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("replica.interna", 5433, "leitor")
    assert replica["OPTIONS"]["options"] == "-c default_transaction_read_only=on"
    assert replica["OPTIONS"]["connect_timeout"] == 5
    assert replica["CONN_HEALTH_CHECKS"] is True
    # The test runner never creates a database on the replica.
    assert replica["TEST"] == {"MIRROR": "default"}
    assert valores["PROTOCOLO_REPLICA_JANELA"] == 3


@pytest.mark.parametrize(
    ("ambiente", "mensagem"),
    [
        (PRODUCAO | {"DATABASE_REPLICA_URL": "postgres://r/protocolo"}, "pedem PostgreSQL na DATABASE_URL"),
        (POSTGRES | {"DATABASE_REPLICA_URL": "sqlite:///replica.sqlite3"}, "deve ser um endereço postgres://"),
        (POSTGRES | {"PROTOCOLO_REPLICA_JANELA": "-1"}, "PROTOCOLO_REPLICA_JANELA deve ser 0 ou mais"),
    ],
)
def test_a_replica_setting_that_cannot_work_stops_the_start(ambiente, mensagem):
    erro = ler(ambiente, "DATABASES")

    assert erro.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert mensagem in erro


def test_the_pool_replaces_persistent_connections_on_both_databases():
    ambiente = POSTGRES | {
        "DATABASE_REPLICA_URL": "postgres://leitor@replica.interna/protocolo",
        "DATABASE_POOL": "1",
        "DATABASE_POOL_MIN": "1",
        "DATABASE_POOL_MAX": "8",
        "DATABASE_POOL_TIMEOUT": "2.5",
    }

    bancos = ler(ambiente, "DATABASES")["DATABASES"]

    for banco in bancos.values():
        assert banco["CONN_MAX_AGE"] == 0
        # Django then gives the pool psycopg_pool's check_connection: a broken connection is replaced.
        assert banco["CONN_HEALTH_CHECKS"] is True
        assert banco["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 2.5}


def test_the_attachments_object_storage_gives_up_within_its_time_limit():
    codigo = (
        "from django.conf import settings as s; c = s.STORAGES['anexos']['OPTIONS']['client_config']; "
        "print(c.connect_timeout, c.read_timeout, c.retries['max_attempts'])"
    )
    proprias = ("PROTOCOLO_", "DEBUG", "SECRET_KEY", "MAILER_URL", "DATABASE_", "REDIS_URL", "ALLOWED_HOSTS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(proprias)}
    env |= {
        "DJANGO_SETTINGS_MODULE": "protocolo.settings",
        **PRODUCAO,
        "PROTOCOLO_ANEXOS_S3_BUCKET": "anexos",
        "PROTOCOLO_ANEXOS_S3_TEMPO_LIMITE": "7",
    }
    resultado = subprocess.run([sys.executable, "-c", codigo], cwd=RAIZ, env=env, capture_output=True, text=True)

    assert resultado.stdout.split() == ["5", "7", "2"], resultado.stderr
