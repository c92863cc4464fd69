"""Rebuild the supervision dashboard's daily rollups from the protocols (protocolo/resumos.py):
after data was written with the triggers off (a restore with session_replication_role = replica, a
copy), or to check that the triggers kept them (--conferir, for monitoring)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from protocolo import resumos


class Command(BaseCommand):
    help = "Refaz os resumos diários do painel de supervisão a partir dos protocolos."

    def add_arguments(self, parser):
        parser.add_argument(
            "--conferir",
            action="store_true",
            help="Só confere: diz quantas linhas dos resumos diferem do que os protocolos dão, sem gravar; "
            "sai com erro se alguma diferir.",
        )

    def handle(self, *args, conferir=False, **options):
        if not resumos.disponiveis():
            raise CommandError("Os resumos diários só existem no PostgreSQL; no SQLite o painel soma os protocolos.")
        with transaction.atomic():
            antes = resumos.linhas()
            resumos.recalcular()
            depois = resumos.linhas()
            if conferir:
                transaction.set_rollback(True)
        diferentes = sum(antes.get(chave) != depois.get(chave) for chave in antes.keys() | depois.keys())
        if conferir and diferentes:
            raise CommandError(
                f"{diferentes} linha(s) dos resumos diferem do que os protocolos dão; "
                "rode manage.py recalcular_resumos para refazê-los."
            )
        if conferir:
            self.stdout.write(f"Resumos conferidos: {len(depois)} linhas, todas iguais ao que os protocolos dão.")
        else:
            self.stdout.write(f"Resumos refeitos: {len(depois)} linhas ({diferentes} diferiam).")
