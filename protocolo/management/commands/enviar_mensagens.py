import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from protocolo import outbox, services
from protocolo.contas import redefinicao

logger = logging.getLogger(__name__)

# With the mail server unreachable, the continuous deliverer tries again after 1, 2, 4 … seconds,
# never more than this: an outage of seconds delays the mail by seconds.
ESPERA_MAXIMA_DO_SERVIDOR = 30.0


def espera_pelo_servidor(intervalo, falhas_seguidas):
    """Seconds to wait after `falhas_seguidas` rounds in a row found the mail server unreachable."""
    return min(intervalo * 2 ** min(falhas_seguidas - 1, 16), max(intervalo, ESPERA_MAXIMA_DO_SERVIDOR))


class Command(BaseCommand):
    help = (
        "Atende os pedidos de nova senha da equipe e os de recuperação pelo CPF, entrega as mensagens "
        "pendentes da caixa de saída e reagenda as que falharem (rode pelo cron); "
        "com --continuo, fica rodando como serviço."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limite", type=int, default=1000, help="Quantas mensagens no máximo em cada rodada.")
        parser.add_argument(
            "--continuo",
            action="store_true",
            help="Não termina: entrega o que vencer, espera --intervalo segundos quando não há nada e repete "
            "(com PROTOCOLO_ENTREGA_IMEDIATA=0). Termina ao receber SIGTERM ou SIGINT, depois da rodada em curso.",
        )
        parser.add_argument(
            "--intervalo",
            type=float,
            default=1.0,
            help="Com --continuo, segundos de espera quando não há mensagem a entregar. Padrão 1.",
        )

    def handle(self, *args, limite, continuo, intervalo, **options):
        if limite < 1:
            raise CommandError("--limite precisa ser 1 ou mais.")
        if not continuo:
            self._relatar_senhas(redefinicao.atender_pedidos(limite=limite))
            services.processar_pedidos_de_recuperacao(limite=limite)
            self._relatar(outbox.entregar_pendentes(limite=limite))
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
            f"{rodada.enviadas} mensagem(ns) enviada(s), {rodada.falhas} com falha (serão tentadas de novo)."
        )
        if rodada.desistidas:
            self.stdout.write(
                f"{rodada.desistidas} recusada(s) para sempre pelo provedor (desistidas; o motivo fica na "
                "caixa de saída)."
            )
        if rodada.servidor_indisponivel:
            self.stdout.write(
                f"Servidor de e-mail indisponível ({rodada.servidor_indisponivel}): as pendentes ficam para a "
                "próxima rodada."
            )

    def _relatar_senhas(self, atendidos):
        if atendidos:
            self.stdout.write(f"{atendidos} pedido(s) de nova senha atendido(s).")

    def _rodar(self, limite, intervalo):
        sem_servidor = 0
        while not self._parar:
            # A long-lived process: drop a connection the database closed or that outlived CONN_MAX_AGE.
            close_old_connections()
            try:
                # The back-office's password resets first: whoever asked is waiting at the screen.
                self._relatar_senhas(redefinicao.atender_pedidos(limite=limite))
                # Then the recovery requests: the page only stored them, their messages go out now.
                services.processar_pedidos_de_recuperacao(limite=limite)
                rodada = outbox.entregar_pendentes(limite=limite)
            except Exception:
                # The database down, say: this service waits and tries again, it does not die.
                logger.exception("Falha ao ler a caixa de saída; nova tentativa em %s s.", intervalo)
                rodada = outbox.Rodada(0, 0)
            if rodada.enviadas or rodada.falhas or rodada.desistidas or rodada.servidor_indisponivel:
                self._relatar(rodada)
            sem_servidor = sem_servidor + 1 if rodada.servidor_indisponivel else 0
            if sem_servidor:
                self._esperar(espera_pelo_servidor(intervalo, sem_servidor))
            elif rodada.enviadas + rodada.falhas + rodada.desistidas < limite:
                self._esperar(intervalo)
        close_old_connections()

    def _pedir_parada(self, *_):
        self._parar = True

    def _esperar(self, segundos):
        fim = time.monotonic() + segundos
        while not self._parar and (resta := fim - time.monotonic()) > 0:
            time.sleep(min(resta, 0.1))
