import datetime
import itertools
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from sequences.models import Sequence

from protocolo import integridade, numeracao
from protocolo.exceptions import NumeroInvalido
from protocolo.models import Interacao, Protocolo


class Command(BaseCommand):
    help = (
        "Verifica a cadeia HMAC de cada protocolo (ou de um só) e a numeração sem lacunas de cada dia; "
        "nomeia a primeira entrada adulterada de cada cadeia quebrada."
    )

    def add_arguments(self, parser):
        parser.add_argument("--protocolo", help="Verifica só este número (em qualquer formato).")

    def handle(self, *args, protocolo=None, **options):
        falhas = self._um(protocolo) if protocolo else self._todos()
        for falha in falhas:
            self.stderr.write(str(falha))
        if falhas:
            raise CommandError(f"{len(falhas)} problema(s) de integridade encontrado(s).")
        self.stdout.write(self.style.SUCCESS("Integridade verificada: nenhuma adulteração encontrada."))

    def _um(self, texto):
        try:
            numero = numeracao.validar(texto)
        except NumeroInvalido as erro:
            raise CommandError(str(erro)) from None
        alvo = Protocolo.objects.filter(numero=numero).first()
        if alvo is None:
            raise CommandError(f"Protocolo {numeracao.formatar(numero)} não encontrado.")
        falha = integridade.verificar_cadeia(alvo.numero, alvo.interacoes.order_by("ordem"))
        return [falha] if falha else []

    def _todos(self):
        total = Protocolo.objects.count()
        falhas, vistos = [], 0
        entradas = (
            Interacao.objects.order_by("protocolo_id", "ordem")
            .annotate(numero=F("protocolo__numero"))
            .iterator(chunk_size=5000)
        )
        for _, cadeia in itertools.groupby(entradas, key=lambda entrada: entrada.protocolo_id):
            cadeia = list(cadeia)
            if falha := integridade.verificar_cadeia(cadeia[0].numero, cadeia):
                falhas.append(falha)
            vistos += 1
            if vistos % 10_000 == 0:
                self.stderr.write(f"\r{vistos}/{total} protocolos verificados", ending="")
        if vistos != total:
            for numero in Protocolo.objects.filter(interacoes__isnull=True).values_list("numero", flat=True):
                falhas.append(integridade.verificar_cadeia(numero, []))
        return falhas + self._lacunas()

    def _lacunas(self):
        """Numbers issued on a day are exactly 1..N, N being the day's sequence counter: a missing
        one proves a deletion, the day's last number included."""
        por_dia = defaultdict(set)
        for numero in Protocolo.objects.values_list("numero", flat=True).iterator(chunk_size=20_000):
            try:
                dia, sequencia = numeracao.decompor(numero)
            except NumeroInvalido:
                por_dia[None].add(numero)
                continue
            por_dia[dia].add(sequencia)
        falhas = [
            integridade.Falha(f"Protocolo {numero}", 0, None, "número fora de todos os formatos configurados")
            for numero in sorted(por_dia.pop(None, []))
        ]
        emitidos = _contadores_por_dia()
        for dia in sorted(por_dia.keys() | emitidos.keys()):
            sequencias = por_dia.get(dia, set())
            ultimo = max(emitidos.get(dia, 0), max(sequencias, default=0))
            faltando = sorted(set(range(1, ultimo + 1)) - sequencias)
            if faltando:
                amostra = ", ".join(map(str, faltando[:10])) + (" …" if len(faltando) > 10 else "")
                falhas.append(
                    integridade.Falha(
                        f"Numeração de {dia:%d/%m/%Y}",
                        0,
                        None,
                        f"faltam {len(faltando)} número(s) da sequência: {amostra}",
                    )
                )
        return falhas


def _contadores_por_dia():
    """{day: the last number its sequence gave out}. django-sequences is transactional, so a
    rolled-back opening gives its number back and the counter equals the numbers committed."""
    prefixo = numeracao.PREFIXO_DA_SEQUENCIA
    contadores = {}
    for nome, ultimo in Sequence.objects.filter(name__startswith=prefixo).values_list("name", "last"):
        try:
            dia = datetime.datetime.strptime(nome.removeprefix(prefixo), "%Y%m%d").date()
        except ValueError:
            continue
        contadores[dia] = ultimo
    return contadores
