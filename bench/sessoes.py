"""
Sessions for the logged-in pages of the benchmark, minted directly (no login form): one per seeded
attendant and per supervisor, written through the configured session engine (database and Redis),
with the second factor already passed when the admin asks for one (django-otp). Prints nothing but
writes one session key a line; with --token-api, also registers the integrated system the API's
load uses (a telephone menu that opens and reads) and writes its token:

    python bench/sessoes.py --atendentes bench/.dados/atendentes.txt --supervisores bench/.dados/supervisores.txt
"""

import argparse
import os
import sys
import time
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protocolo.settings")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def _sessao(usuario, **extra):
    sessao = SessionStore()
    sessao[SESSION_KEY] = str(usuario.pk)
    sessao[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    sessao[HASH_SESSION_KEY] = usuario.get_session_auth_hash()
    # protocolo.contas.sessao's idle expiry reads the last activity from here.
    sessao["sessao_ultima_atividade"] = int(time.time())
    sessao.update(extra)
    sessao.create()
    return sessao.session_key


def _segundo_fator(usuario):
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return {}
    from django_otp.plugins.otp_totp.models import TOTPDevice

    dispositivo, _ = TOTPDevice.objects.get_or_create(user=usuario, name="bench", defaults={"confirmed": True})
    return {"otp_device_id": dispositivo.persistent_id}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--atendentes", required=True)
    parser.add_argument("--supervisores", required=True)
    parser.add_argument("--token-api")
    args = parser.parse_args()
    with open(args.atendentes, "w") as saida:
        # Production asks the whole back-office for the second factor (PROTOCOLO_SEGUNDO_FATOR_ATENDENTES).
        for usuario in User.objects.filter(username__startswith="atendente").order_by("username"):
            saida.write(_sessao(usuario, **_segundo_fator(usuario)) + "\n")
    with open(args.supervisores, "w") as saida:
        for usuario in User.objects.filter(username__startswith="supervisor").order_by("username"):
            saida.write(_sessao(usuario, **_segundo_fator(usuario)) + "\n")
    if args.token_api:
        with open(args.token_api, "w") as saida:
            saida.write(_token_api() + "\n")


def _token_api():
    from protocolo import services

    responsavel = User.objects.filter(username__startswith="supervisor").order_by("username").first()
    sistema = services.sistema_criar(
        nome="URA do benchmark", escopos=["protocolos:abrir", "protocolos:ler"], responsavel=responsavel
    )
    _, token = services.credencial_criar(sistema=sistema, autor=responsavel)
    return token


if __name__ == "__main__":
    main()
