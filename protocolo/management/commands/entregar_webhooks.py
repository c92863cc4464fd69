from protocolo.webhooks import entrega

from ._tarefas import ComandoDeServico


class Command(ComandoDeServico):
    help = (
        "Entrega os eventos de webhooks pendentes (assinados a cada tentativa) e reagenda os que falharem "
        "(rode pelo cron); com --continuo, fica rodando como serviço. É uma fila à parte da dos e-mails: "
        "um receptor que não responde não atrasa nenhuma mensagem ao consumidor."
    )
    itens = "eventos"
    falha_da_rodada = "Falha ao ler os webhooks pendentes; nova tentativa em %s s."

    def rodada(self, limite):
        return entrega.entregar_pendentes(limite=limite)

    def rodada_vazia(self):
        return entrega.Rodada(0, 0)

    def relatar(self, rodada, *, sempre):
        if sempre or rodada.entregues or rodada.falhas:
            self.stdout.write(
                f"{rodada.entregues} evento(s) entregue(s), {rodada.falhas} com falha (serão tentados de novo)."
            )
