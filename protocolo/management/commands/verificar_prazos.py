from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from protocolo import numeracao, relogio, services
from protocolo.models import NIVEL_MAXIMO, Interacao, Protocolo

from ._tarefas import ComandoPeriodico


def vencidos_a_escalar(hoje):
    """Open, unanswered protocols past their deadline, below the last nível, not yet escalated for
    this deadline (served by the protocolo_fila_prazo index). A protocol that already rose after
    its deadline ended (the consumer asked for supervision, an attendant escalated it) is not
    raised a second time for the same overdue deadline."""
    ja_subiu = Interacao.objects.filter(
        protocolo=OuterRef("pk"), tipo=Interacao.Tipo.ESCALONAMENTO, criada_em__date__gt=OuterRef("prazo")
    )
    return (
        Protocolo.objects.vencidos(hoje)
        .filter(nivel__lt=NIVEL_MAXIMO)
        .filter(Q(escalado_no_prazo__isnull=True) | ~Q(escalado_no_prazo=F("prazo")))
        .exclude(Exists(ja_subiu))
        .order_by("prazo", "pk")
    )


class Command(ComandoPeriodico):
    help = (
        "Escala um nível os protocolos em aberto com o prazo vencido, com uma entrada do sistema no "
        "histórico: uma vez por prazo, nunca duas, nunca além do nível 3. Rode pelo cron (de hora em hora)."
    )

    def handle(self, *args, dry_run=False, **options):
        hoje = relogio.hoje()
        candidatos = list(vencidos_a_escalar(hoje).values_list("pk", "numero", "prazo", "nivel"))
        if dry_run:
            for _, numero, prazo, nivel in candidatos:
                self.stdout.write(
                    f"Escalaria {numeracao.formatar(numero)} (prazo {prazo:%d/%m/%Y}): nível {nivel} → {nivel + 1}"
                )
            self.stdout.write(f"Simulação: {len(candidatos)} protocolo(s) seriam escalados; nada foi alterado.")
            return
        escalados, recusados = self.processar(candidatos, lambda pk: self._escalar(pk, hoje), options)
        self.stdout.write(f"{escalados} protocolo(s) escalado(s) por prazo vencido, {recusados} recusado(s).")

    def _escalar(self, pk, hoje):
        with transaction.atomic():
            # Re-checked under the lock: a resolution, an extension or another run of this job may
            # have come first.
            protocolo = vencidos_a_escalar(hoje).select_for_update(of=("self",)).filter(pk=pk).first()
            if protocolo is None:
                return False
            services.protocolo_escalar(
                protocolo=protocolo,
                motivo=(
                    f"Prazo de resposta vencido em {protocolo.prazo:%d/%m/%Y} sem resposta: "
                    "escalado automaticamente para o nível seguinte."
                ),
                origem=Interacao.Origem.SISTEMA,
            )
        return True
