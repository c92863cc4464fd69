"""`make run` serves the demo from SQLite: a notice to a telephone goes through the same routing as on
PostgreSQL and shows on the console, by WhatsApp and by SMS."""

import os
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]

ABRIR = """
from django.contrib.auth.models import Group, User
from protocolo import dados_iniciais, services
from protocolo.models import Canal
atendente = User.objects.create_user("demo")
atendente.groups.add(Group.objects.get(name=dados_iniciais.ATENDENTES))
protocolo, _, _ = services.protocolo_abrir_completo(
    canal=Canal.TELEFONE, atendente=atendente, cpf="52998224725", nome="Maria", telefone="(11) 98765-4321"
)
services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente)
"""

PARAR_O_WHATSAPP = """
from django.contrib.auth.models import User
from protocolo import canais, services
from protocolo.models import EscolhaDeCanal, Protocolo
canais.registrar(telefone="+5511987654321", canal="whatsapp", aceita=False, origem=EscolhaDeCanal.Origem.PORTAL)
services.protocolo_enviar_numero(protocolo=Protocolo.objects.get(), autor=User.objects.get(username="demo"))
"""


def _manage(*argumentos, banco):
    proprias = ("PROTOCOLO_", "DEBUG", "SECRET_KEY", "MAILER_URL", "SMS_URL", "WHATSAPP_URL", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith((*proprias, "REDIS_URL", "DJANGO_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "protocolo.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{banco}",
        "PROTOCOLO_ENTREGA_IMEDIATA": "0",
    }
    resultado = subprocess.run(
        [sys.executable, "manage.py", *argumentos], cwd=RAIZ, env=env, capture_output=True, text=True, timeout=120
    )
    assert resultado.returncode == 0, resultado.stderr[-3000:]
    return resultado.stdout


def test_the_sqlite_demo_sends_a_telephone_notice_by_whatsapp_then_by_sms_after_a_stop(tmp_path):
    banco = tmp_path / "demo.sqlite3"
    _manage("migrate", "-v0", banco=banco)
    _manage("shell", "-c", ABRIR, banco=banco)

    saida = _manage("enviar_mensagens", banco=banco)
    assert "WhatsApp para +5511987654321" in saida
    assert "1 mensagem(ns) enviada(s)" in saida

    _manage("shell", "-c", PARAR_O_WHATSAPP, banco=banco)
    saida = _manage("enviar_mensagens", banco=banco)
    assert "SMS para +5511987654321" in saida
    assert "WhatsApp para" not in saida
