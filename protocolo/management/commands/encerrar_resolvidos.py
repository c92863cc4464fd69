from django.db import transaction

from protocolo import numeracao, outbox, relogio, services
from protocolo.models import PRAZO_CONTESTACAO, Interacao, Protocolo, Situacao

from ._tarefas import ComandoPeriodico

COMENTARIO = "Encerrado automaticamente: 20 dias sem contestação da resolução."


def a_encerrar(agora):
    """Resolved more than 20 days ago and never disputed (a dispute reopens the protocol), served by
    the protocolo_resolvido_em index."""
    return Protocolo.objects.filter(situacao=Situacao.RESOLVIDO, resolvido_em__lte=agora - PRAZO_CONTESTACAO).order_by(
        "resolvido_em", "pk"
    )


class Command(ComandoPeriodico):
    help = (
        "Encerra os protocolos resolvidos há mais de 20 dias sem contestação e avisa o consumidor "
        "(a mensagem vai pela caixa de saída). Rode pelo cron (diariamente)."
    )

    def handle(self, *args, dry_run=False, **options):
        agora = relogio.agora()
        candidatos = list(a_encerrar(agora).values_list("pk", "numero", "resolvido_em"))
        if dry_run:
            for _, numero, resolvido_em in candidatos:
                self.stdout.write(f"Encerraria {numeracao.formatar(numero)} (resolvido em {resolvido_em:%d/%m/%Y})")
            self.stdout.write(f"Simulação: {len(candidatos)} protocolo(s) seriam encerrados; nada foi alterado.")
            return
        # The messages wait for `enviar_mensagens`: a batch never sends mail from inside its loop.
        with outbox.entrega_adiada():
            encerrados, _ = self.processar(candidatos, lambda pk: self._encerrar(pk, agora), options)
        self.stdout.write(f"{encerrados} protocolo(s) encerrado(s) após 20 dias sem contestação.")

    def _encerrar(self, pk, agora):
        with transaction.atomic():
            # Re-checked under the lock: the consumer may have disputed it meanwhile.
            protocolo = a_encerrar(agora).select_for_update(of=("self",)).filter(pk=pk).first()
            if protocolo is None:
                return False
            services.protocolo_encerrar(protocolo=protocolo, origem=Interacao.Origem.SISTEMA, comentario=COMENTARIO)
        return True
