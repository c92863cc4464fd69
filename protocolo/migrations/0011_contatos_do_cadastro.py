"""
Every e-mail and telephone a consumer record held becomes a contact of each protocol of that
consumer, never bound to the consumer (origem migracao): a public form could have planted it, and
nothing tells which ones did (docs/seguranca.md, "Contatos"). They count as confirmed: each of those
protocols already sent its messages there, so they keep doing so, and a planted address keeps only
what it already had. A record without protocols has nothing left to notify: its values go with the
columns (0012).
"""

import logging
import re

from django.db import migrations
from django.utils import timezone

logger = logging.getLogger("protocolo.migracoes")


def _telefone(valor):
    texto = (valor or "").strip()
    digitos = re.sub(r"\D", "", texto)
    return ("+" if texto.startswith("+") else "") + digitos if digitos else ""


def contatos_do_cadastro(apps, schema_editor):
    Consumidor = apps.get_model("protocolo", "Consumidor")
    Protocolo = apps.get_model("protocolo", "Protocolo")
    Contato = apps.get_model("protocolo", "Contato")
    agora = timezone.now()
    novos, lote = 0, []
    consumidores = (
        Consumidor.objects.exclude(email="", telefone="").order_by("pk").values_list("pk", "email", "telefone")
    )
    for pk, email, telefone in consumidores.iterator(chunk_size=2000):
        valores = [("email", (email or "").strip().lower()), ("telefone", _telefone(telefone))]
        valores = [(tipo, valor) for tipo, valor in valores if valor]
        for protocolo_id in Protocolo.objects.filter(consumidor_id=pk).values_list("pk", flat=True):
            for tipo, valor in valores:
                lote.append(
                    Contato(
                        tipo=tipo,
                        valor=valor,
                        protocolo_id=protocolo_id,
                        origem="migracao",
                        confirmado_em=agora,
                        criado_em=agora,
                    )
                )
        if len(lote) >= 2000:
            Contato.objects.bulk_create(lote)
            novos += len(lote)
            lote = []
    Contato.objects.bulk_create(lote)
    novos += len(lote)
    mensagem = f"Contatos migrados do cadastro para os seus protocolos: {novos}."
    logger.info(mensagem)
    print(f"\n  {mensagem}")


def de_volta_ao_cadastro(apps, schema_editor):
    """Back to one e-mail and telephone per consumer: the latest contact of any of their protocols."""
    Consumidor = apps.get_model("protocolo", "Consumidor")
    Contato = apps.get_model("protocolo", "Contato")
    for contato in Contato.objects.filter(protocolo__consumidor__isnull=False).order_by("pk").iterator():
        campo = "email" if contato.tipo == "email" else "telefone"
        Consumidor.objects.filter(pk=contato.protocolo.consumidor_id).update(
            **{campo: contato.valor[: 254 if campo == "email" else 20]}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("protocolo", "0010_contatos"),
    ]

    operations = [
        migrations.RunPython(contatos_do_cadastro, de_volta_ao_cadastro, elidable=False),
    ]
