import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from protocolo.webhooks import entrega

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Entrega os eventos de webhooks pendentes (assinados a cada tentativa) e reagenda os que falharem "
        "(rode pelo cron); com --continuo, fica rodando como serviço. É uma fila à parte da dos e-mails: "
        "um receptor que não responde não atrasa nenhuma mensagem ao consumidor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limite", type=int, default=1000, help="Quantos eventos no máximo em cada rodada.")
        parser.add_argument(
            "--continuo",
            action="store_true",
            help="Não termina: entrega o que vencer, espera --intervalo segundos quando não há nada e repete. "
            "Termina ao receber SIGTERM ou SIGINT, depois da entrega em curso.",
        )
        parser.add_argument(
            "--intervalo",
            type=float,
            default=1.0,
            help="Com --continuo, segundos de espera quando não há evento a entregar. Padrão 1.",
        )

    def handle(self, *args, limite, continuo, intervalo, **options):
        if limite < 1:
            raise CommandError("--limite precisa ser 1 ou mais.")
        if not continuo:
            self._relatar(entrega.entregar_pendentes(limite=limite))
            return
        if intervalo <= 0:
            raise CommandError("--intervalo precisa ser maior que zero.")
        self._parar = False
        anteriores = {sinal: signal.signal(sinal, self._pedir_parada) for sinal in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._rodar(limite, intervalo)
        finally:
            for sinal, tratador in anteriores.items():
                signal.signal(sinal, tratador)

    def _relatar(self, rodada):
        self.stdout.write(
            f"{rodada.entregues} evento(s) entregue(s), {rodada.falhas} com falha (serão tentados de novo)."
        )

    def _rodar(self, limite, intervalo):
        while not self._parar:
            # A long-lived process: drop a connection the database closed or that outlived CONN_MAX_AGE.
            close_old_connections()
            try:
                rodada = entrega.entregar_pendentes(limite=limite)
            except Exception:
                # The database down, say: this service waits and tries again, it does not die.
                logger.exception("Falha ao ler os webhooks pendentes; nova tentativa em %s s.", intervalo)
                rodada = entrega.Rodada(0, 0)
            if rodada.entregues or rodada.falhas:
                self._relatar(rodada)
            if rodada.entregues + rodada.falhas < limite:
                self._esperar(intervalo)
        close_old_connections()

    def _pedir_parada(self, *_):
        self._parar = True

    def _esperar(self, segundos):
        fim = time.monotonic() + segundos
        while not self._parar and (resta := fim - time.monotonic()) > 0:
            time.sleep(min(resta, 0.1))
