import datetime
import itertools
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from sequences.models import Sequence

from protocolo import anexos, integridade, numeracao
from protocolo.exceptions import NumeroInvalido
from protocolo.models import Anexo, Interacao, Protocolo


class Command(BaseCommand):
    help = (
        "Verifica a cadeia HMAC de cada protocolo (ou de um só), a numeração sem lacunas de cada dia e os "
        "bytes de cada anexo guardado; nomeia a primeira entrada adulterada de cada cadeia quebrada e cada "
        "arquivo que não confere."
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
        return ([falha] if falha else []) + _anexos(alvo)

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
        return falhas + self._lacunas() + _anexos()

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


def _anexos(protocolo=None):
    """Every file the sealed records say is kept, read again from the storage; and every file row
    that no sealed record names. Only the protocols that have files are read."""
    linhas = Anexo.objects.order_by("protocolo_id", "interacao_id", "posicao")
    entradas = Interacao.objects.filter(detalhes__has_key="anexos").annotate(numero=F("protocolo__numero"))
    if protocolo is not None:
        linhas, entradas = linhas.filter(protocolo=protocolo), entradas.filter(protocolo=protocolo)
    por_protocolo = defaultdict(lambda: ([], []))
    for entrada in entradas.order_by("protocolo_id", "ordem").iterator(chunk_size=2000):
        por_protocolo[entrada.protocolo_id][0].append(entrada)
    for linha in linhas.iterator(chunk_size=2000):
        por_protocolo[linha.protocolo_id][1].append(linha)
    numeros = dict(Protocolo.objects.filter(pk__in=por_protocolo.keys()).values_list("pk", "numero"))
    falhas = []
    for protocolo_id, (cadeia, linhas_do_protocolo) in sorted(por_protocolo.items()):
        numero = numeros[protocolo_id]
        for ordem, interacao_id, motivo in anexos.verificar(numero, cadeia, linhas_do_protocolo):
            falhas.append(integridade.Falha(numero, ordem, interacao_id, motivo))
        selados = {(e.id, posicao) for e in cadeia for posicao in range(1, len(anexos.registros(e)) + 1)}
        for linha in linhas_do_protocolo:
            if (linha.interacao_id, linha.posicao) not in selados:
                falhas.append(
                    integridade.Falha(
                        numero, 0, None, f"o anexo “{linha.nome[:60]}” (id {linha.pk}) não está na cadeia"
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
