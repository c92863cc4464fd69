import datetime
import hashlib
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from protocolo.models import Interacao


class Command(BaseCommand):
    help = (
        "Exporta, em JSON Lines, a cabeça da cadeia de cada protocolo que recebeu entradas no dia, e por "
        "último um resumo SHA-256 de todas elas: publicado ou registrado fora do banco, ele ancora o dia."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dia", help="AAAA-MM-DD (horário de São Paulo); padrão: ontem.")

    def handle(self, *args, dia=None, **options):
        try:
            dia = datetime.date.fromisoformat(dia) if dia else timezone.localdate() - datetime.timedelta(days=1)
        except ValueError:
            raise CommandError("Informe o dia no formato AAAA-MM-DD.") from None
        inicio = timezone.make_aware(datetime.datetime.combine(dia, datetime.time.min))
        fim = inicio + datetime.timedelta(days=1)

        # Every entry of the day, each protocol's newest first; the first one seen is its head.
        cabecas = (
            Interacao.objects.filter(criada_em__gte=inicio, criada_em__lt=fim)
            .order_by("protocolo__numero", "-ordem")
            .values_list("protocolo__numero", "ordem", "mac")
        )
        resumo = hashlib.sha256()
        vistos = set()
        for numero, ordem, mac in cabecas.iterator(chunk_size=5000):
            if numero in vistos:
                continue
            vistos.add(numero)
            linha = json.dumps({"protocolo": numero, "ordem": ordem, "mac": mac}, separators=(",", ":"))
            resumo.update(linha.encode() + b"\n")
            self.stdout.write(linha)
        self.stdout.write(
            json.dumps(
                {"dia": dia.isoformat(), "protocolos": len(vistos), "sha256": resumo.hexdigest()}, separators=(",", ":")
            )
        )
