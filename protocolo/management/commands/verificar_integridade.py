import itertools
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

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
                falhas.append(integridade.Falha(numero, 1, None, "o protocolo não tem nenhuma entrada"))
        return falhas + self._lacunas()

    def _lacunas(self):
        """Numbers issued on a day are exactly 1..N: a missing one proves a deletion."""
        por_dia = defaultdict(list)
        for numero in Protocolo.objects.values_list("numero", flat=True).iterator(chunk_size=20_000):
            try:
                dia, sequencia = numeracao.decompor(numero)
            except NumeroInvalido:
                por_dia[None].append(numero)
                continue
            por_dia[dia].append(sequencia)
        falhas = [
            integridade.Falha(f"Protocolo {numero}", 0, None, "número fora de todos os formatos configurados")
            for numero in por_dia.pop(None, [])
        ]
        for dia, sequencias in sorted(por_dia.items()):
            faltando = sorted(set(range(1, max(sequencias) + 1)) - set(sequencias))
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
