"""What the periodic commands share: --dry-run, and a progress line on stderr for long work (the
way healthchecks' commands report; tqdm is not a dependency)."""

import time

from django.core.management.base import BaseCommand

from protocolo import numeracao
from protocolo.exceptions import ErroProtocolo


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
