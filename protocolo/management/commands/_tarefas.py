"""What the periodic commands share: --dry-run, and a progress line on stderr for long work (the
way healthchecks' commands report; tqdm is not a dependency); and what the deliverers of a queue
share: one round for the cron, or --continuo as a service that stops cleanly on SIGTERM."""

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from protocolo import numeracao
from protocolo.exceptions import ErroProtocolo

logger = logging.getLogger(__name__)


class Progresso:
    """`\\r12 000/40 000 protocolos (30%)` on stderr, at most a few times a second."""

    def __init__(self, saida, total, rotulo, *, ativo=True):
        self.saida, self.total, self.rotulo, self.ativo = saida, total, rotulo, ativo and total > 0
        self.feitos, self.ultimo = 0, 0.0

    def avancar(self, n=1):
        self.feitos += n
        agora = time.monotonic()
        if self.ativo and (agora - self.ultimo >= 0.5 or self.feitos == self.total):
            self.ultimo = agora
            self.saida.write(
                f"\r{self.feitos}/{self.total} {self.rotulo} ({100 * self.feitos // self.total}%)", ending=""
            )

    def fim(self):
        if self.ativo and self.feitos:
            self.saida.write("")


class ComandoPeriodico(BaseCommand):
    """A cron job: idempotent, with --dry-run that only says what it would do."""

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Só mostra o que seria feito, sem alterar nada.")
        parser.add_argument("--sem-progresso", action="store_true", help="Não mostra o progresso (para o cron).")

    def progresso(self, total, rotulo, options):
        return Progresso(self.stderr, total, rotulo, ativo=not options.get("sem_progresso"))

    def processar(self, candidatos, fazer, options):
        """fazer(pk) for each (pk, número, …) candidate, with progress; a refusal is reported and the
        next one goes on. (done, refused): fazer returns False when, rechecked under its lock, the
        protocol no longer qualifies."""
        progresso = self.progresso(len(candidatos), "protocolos", options)
        feitos = recusados = 0
        for pk, numero, *_ in candidatos:
            try:
                feitos += bool(fazer(pk))
            except ErroProtocolo as erro:
                recusados += 1
                self.stderr.write(f"\n{numeracao.formatar(numero)}: {erro}")
            progresso.avancar()
        progresso.fim()
        return feitos, recusados


class ComandoDeServico(BaseCommand):
    """A queue's deliverer: one round and out (the cron), or with --continuo a service that runs a
    round, waits when there was nothing left to do, and repeats until SIGTERM or SIGINT, finishing
    the round in course. A round that fails (the database down) is logged and tried again later:
    the service never dies of it. Each deliverer defines `rodada(limite)`, the round, returning its
    outcome; `relatar(resultado, sempre=)`, which writes it (with sempre False, the service's, only
    when something happened); `rodada_vazia()`, the outcome of a round that raised; and, if not the
    plain interval, `espera`, how long to wait after it."""

    # The queue's items, for the help texts ("mensagens", "eventos").
    itens = ""
    # Logged with the interval when a round raises.
    falha_da_rodada = "Falha ao ler a fila; nova tentativa em %s s."

    def add_arguments(self, parser):
        parser.add_argument("--limite", type=int, default=1000, help=f"Quantos {self.itens} no máximo em cada rodada.")
        parser.add_argument(
            "--continuo",
            action="store_true",
            help="Não termina: entrega o que vencer, espera --intervalo segundos quando não há nada e repete. "
            "Termina ao receber SIGTERM ou SIGINT, depois da rodada em curso.",
        )
        parser.add_argument(
            "--intervalo",
            type=float,
            default=1.0,
            help=f"Com --continuo, segundos de espera quando não há {self.itens} a entregar. Padrão 1.",
        )

    def espera(self, resultado, limite, intervalo):
        """Seconds to wait before the next round: none while a full round suggests more is due."""
        return 0 if self.feitos(resultado) >= limite else intervalo

    def feitos(self, resultado):
        return sum(resultado[:2])

    def handle(self, *args, limite, continuo, intervalo, **options):
        if limite < 1:
            raise CommandError("--limite precisa ser 1 ou mais.")
        if not continuo:
            self.relatar(self.rodada(limite), sempre=True)
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

    def _rodar(self, limite, intervalo):
        while not self._parar:
            # A long-lived process: drop a connection the database closed or that outlived CONN_MAX_AGE.
            close_old_connections()
            try:
                resultado = self.rodada(limite)
            except Exception:
                # The database down, say: this service waits and tries again, it does not die.
                logger.exception(self.falha_da_rodada, intervalo)
                resultado = self.rodada_vazia()
            self.relatar(resultado, sempre=False)
            self._esperar(self.espera(resultado, limite, intervalo))
        close_old_connections()

    def _pedir_parada(self, *_):
        self._parar = True

    def _esperar(self, segundos):
        fim = time.monotonic() + segundos
        while not self._parar and (resta := fim - time.monotonic()) > 0:
            time.sleep(min(resta, 0.1))
