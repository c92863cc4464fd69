from django.conf import settings

from protocolo import lgpd, relogio
from protocolo.exceptions import ErroProtocolo
from protocolo.models import Consumidor

from ._tarefas import ComandoPeriodico


class Command(ComandoPeriodico):
    help = (
        "Anonimiza os consumidores cujos protocolos terminaram há mais que o prazo de retenção "
        "(PROTOCOLO_RETENCAO_DIAS), fora os que estão sob guarda legal. Números, datas e históricos "
        "ficam; a redação fica registrada em cada cadeia. Rode pelo cron (diariamente)."
    )

    def handle(self, *args, dry_run=False, **options):
        agora = relogio.agora()
        elegiveis = list(lgpd.elegiveis(agora).values_list("pk", flat=True))
        sob_guarda = lgpd.elegiveis(agora, guarda_legal=True).count()
        retencao = f"retenção de {settings.PROTOCOLO_RETENCAO_DIAS} dias"
        if dry_run:
            self.stdout.write(
                f"Simulação: {len(elegiveis)} consumidor(es) seriam anonimizados ({retencao}); "
                f"{sob_guarda} sob guarda legal ficariam como estão. Nada foi alterado."
            )
            return
        progresso = self.progresso(len(elegiveis), "consumidores", options)
        anonimizados = redigidas = 0
        for pk in elegiveis:
            try:
                redigidas += lgpd.anonimizar(Consumidor(pk=pk), agora=agora)
                anonimizados += 1
            except ErroProtocolo as erro:
                # Something changed since the selection (a new protocol, a legal hold): skipped.
                self.stderr.write(f"\n{erro}")
            except Consumidor.DoesNotExist:
                pass
            progresso.avancar()
        progresso.fim()
        self.stdout.write(
            f"{anonimizados} consumidor(es) anonimizado(s) ({retencao}), {redigidas} entrada(s) de histórico "
            f"redigida(s); {sob_guarda} sob guarda legal mantido(s)."
        )
