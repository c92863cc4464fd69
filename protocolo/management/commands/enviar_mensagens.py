from protocolo import outbox, services
from protocolo.contas import redefinicao

from ._tarefas import ComandoDeServico

# With the mail server unreachable, the continuous deliverer tries again after 1, 2, 4 … seconds,
# never more than this: an outage of seconds delays the mail by seconds.
ESPERA_MAXIMA_DO_SERVIDOR = 30.0


def espera_pelo_servidor(intervalo, falhas_seguidas):
    """Seconds to wait after `falhas_seguidas` rounds in a row found the mail server unreachable."""
    return min(intervalo * 2 ** min(falhas_seguidas - 1, 16), max(intervalo, ESPERA_MAXIMA_DO_SERVIDOR))


class Command(ComandoDeServico):
    help = (
        "Atende os pedidos de nova senha da equipe e os de recuperação pelo CPF, entrega as mensagens "
        "pendentes da caixa de saída e reagenda as que falharem (rode pelo cron); "
        "com --continuo, fica rodando como serviço (com PROTOCOLO_ENTREGA_IMEDIATA=0)."
    )
    itens = "mensagens"
    falha_da_rodada = "Falha ao ler a caixa de saída; nova tentativa em %s s."
    # Rounds in a row that found the mail server unreachable.
    sem_servidor = 0

    def rodada(self, limite):
        # The back-office's password resets first: whoever asked is waiting at the screen.
        atendidos = redefinicao.atender_pedidos(limite=limite)
        if atendidos:
            self.stdout.write(f"{atendidos} pedido(s) de nova senha atendido(s).")
        # Then the recovery requests: the page only stored them, their messages go out now.
        services.processar_pedidos_de_recuperacao(limite=limite)
        return outbox.entregar_pendentes(limite=limite)

    def rodada_vazia(self):
        return outbox.Rodada(0, 0)

    def relatar(self, rodada, *, sempre):
        if not (sempre or rodada.enviadas or rodada.falhas or rodada.desistidas or rodada.servidor_indisponivel):
            return
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

    def espera(self, rodada, limite, intervalo):
        self.sem_servidor = self.sem_servidor + 1 if rodada.servidor_indisponivel else 0
        if self.sem_servidor:
            return espera_pelo_servidor(intervalo, self.sem_servidor)
        return super().espera(rodada, limite, intervalo)

    def feitos(self, rodada):
        return rodada.enviadas + rodada.falhas + rodada.desistidas
