from django.core.management.base import BaseCommand

from protocolo import outbox


class Command(BaseCommand):
    help = "Entrega as mensagens pendentes da caixa de saída e reagenda as que falharem (rode pelo cron)."

    def add_arguments(self, parser):
        parser.add_argument("--limite", type=int, default=1000, help="Quantas mensagens no máximo nesta execução.")

    def handle(self, *args, limite, **options):
        enviadas, falhas = outbox.entregar_pendentes(limite=limite)
        self.stdout.write(f"{enviadas} mensagem(ns) enviada(s), {falhas} com falha (serão tentadas de novo).")
