"""What the consumer sees of a protocol: plain Portuguese, public entries only, no internal note, no
full CPF and no attendant's full name. Shared by the HTML pages and the JSON download."""

import datetime

from django.utils import timezone

from protocolo import anexos
from protocolo.models import (
    EQUIPE_DO_NIVEL,
    PRAZO_CONTESTACAO,
    AvisoMensagem,
    Interacao,
    Origem,
    Protocolo,
    Situacao,
    TipoInteracao,
)

Tipo = TipoInteracao

EXPLICACOES = {
    Situacao.ABERTO: "Recebemos a sua demanda. Ela aguarda o início do atendimento.",
    Situacao.EM_ATENDIMENTO: "Uma pessoa da nossa equipe está cuidando da sua demanda.",
    Situacao.AGUARDANDO_CONSUMIDOR: (
        "Precisamos de uma informação sua para continuar. Veja a última mensagem no histórico e responda por aqui."
    ),
    Situacao.RESOLVIDO: (
        "Respondemos à sua demanda. Diga se ela foi resolvida: você tem 20 dias para contestar; depois disso "
        "o protocolo é encerrado."
    ),
    Situacao.ENCERRADO: "A demanda foi concluída. O histórico continua disponível para consulta.",
    Situacao.CANCELADO: "O protocolo foi cancelado; o motivo está no histórico. O número continua registrado.",
    Situacao.SEM_DEMANDA: (
        "O atendimento terminou antes que a demanda fosse registrada. O número continua registrado; se precisar, "
        "abra um novo protocolo."
    ),
}

TITULOS = {
    Tipo.ABERTURA: "Protocolo aberto",
    Tipo.CATEGORIZACAO: "Assunto definido",
    Tipo.OBJETO: "Demanda registrada",
    Tipo.MENSAGEM: "Mensagem da empresa",
    Tipo.MENSAGEM_CONSUMIDOR: "Sua mensagem",
    Tipo.SITUACAO: "Situação atualizada",
    Tipo.ESCALONAMENTO: "Encaminhado a outro nível",
    Tipo.RESOLUCAO: "Resposta da empresa",
    Tipo.REABERTURA: "Protocolo reaberto",
    Tipo.ENCERRAMENTO: "Protocolo encerrado",
    Tipo.CANCELAMENTO: "Protocolo cancelado",
    Tipo.SEM_DEMANDA: "Atendimento encerrado sem demanda",
    Tipo.DUPLICIDADE: "Demanda unificada",
    Tipo.PRORROGACAO: "Prazo prorrogado",
    Tipo.ENVIO_NUMERO: "Número enviado",
    Tipo.CONFIRMACAO_CONTATO: "Contato confirmado",
    Tipo.CANAIS: "Canais das mensagens",
    Tipo.ANONIMIZACAO: "Dados pessoais anonimizados",
    Tipo.NAO_NOTIFICADO: "Aviso não enviado",
}

NIVEIS = EQUIPE_DO_NIVEL
# Who is looking at the demand; the consumer never sees the levels' numbers.
QUEM_CUIDA = {1: "a equipe de atendimento", 2: "a supervisão", 3: "a ouvidoria"}
# The situação as the consumer reads it (the back office's words stay in Situacao's labels).
SITUACAO_PUBLICA = {
    Situacao.ABERTO: "registrado",
    Situacao.EM_ATENDIMENTO: "em análise",
    Situacao.AGUARDANDO_CONSUMIDOR: "aguardando a sua resposta",
    Situacao.RESOLVIDO: "respondido",
    Situacao.ENCERRADO: "encerrado",
    Situacao.CANCELADO: "cancelado",
    Situacao.SEM_DEMANDA: "encerrado sem demanda",
}


def nome_do_autor(interacao):
    """Who wrote an entry: "Você", "Sistema", or the attendant's first name only ("Atendente" without one)."""
    if interacao.origem == Origem.CONSUMIDOR:
        return "Você"
    if interacao.origem == Origem.SISTEMA or interacao.autor_id is None:
        return "Sistema"
    primeiro = (interacao.autor.first_name or "").split()
    return f"{primeiro[0]} (atendente)" if primeiro else "Atendente"


def _detalhe(interacao):
    if interacao.tipo == Tipo.ESCALONAMENTO and interacao.nivel_novo:
        quem = QUEM_CUIDA.get(interacao.nivel_novo)
        return f"Agora com {quem}." if quem else ""
    if interacao.situacao_nova and interacao.tipo in (Tipo.SITUACAO, Tipo.REABERTURA, Tipo.RESOLUCAO):
        return f"Agora: {SITUACAO_PUBLICA[interacao.situacao_nova]}."
    if interacao.tipo == Tipo.ENCERRAMENTO and isinstance(interacao.detalhes, dict):
        nota = interacao.detalhes.get("avaliacao")
        if isinstance(nota, int):
            return f"Sua nota: {nota} de 5."
    if interacao.tipo == Tipo.NAO_NOTIFICADO and isinstance(interacao.detalhes, dict):
        aviso = interacao.detalhes.get("aviso")
        return f"Aviso: {AvisoMensagem(aviso).label}." if aviso in AvisoMensagem.values else ""
    if interacao.tipo == Tipo.PRORROGACAO and isinstance(interacao.detalhes, dict):
        try:
            novo = datetime.date.fromisoformat(str(interacao.detalhes.get("prazo_novo")))
        except ValueError:
            return ""
        return f"Novo prazo: {novo:%d/%m/%Y}."
    return ""


def _titulo(interacao):
    if interacao.tipo == Tipo.ESCALONAMENTO and interacao.nivel_novo in (2, 3):
        return f"Encaminhado à {NIVEIS[interacao.nivel_novo]}"
    return TITULOS.get(interacao.tipo, Tipo(interacao.tipo).label)


def linha_publica(interacoes):
    """The public timeline as plain dicts; anything not public is dropped here once more."""
    return [
        {
            "ordem": i.ordem,
            "quando": timezone.localtime(i.criada_em),
            "titulo": _titulo(i),
            "autor": nome_do_autor(i),
            "texto": i.texto,
            "detalhe": _detalhe(i),
            "do_consumidor": i.origem == Origem.CONSUMIDOR,
            "anexos": anexos.descrever(i),
        }
        for i in interacoes
        if i.publica and i.tipo not in (Tipo.NOTA_INTERNA, Tipo.REMOCAO_ANEXO)
    ]


def texto_do_prazo(protocolo):
    """The deadline in words: "faltam N dias", "vence hoje", "venceu há N dias", or "" for a final or unset deadline."""
    dias = protocolo.dias_para_o_prazo
    if dias is None or protocolo.finalizado or protocolo.situacao == Situacao.RESOLVIDO:
        return ""
    if dias > 1:
        return f"faltam {dias} dias"
    if dias == 1:
        return "falta 1 dia"
    if dias == 0:
        return "vence hoje"
    return "venceu há 1 dia" if dias == -1 else f"venceu há {-dias} dias"


def contestado(interacoes):
    return any(i.tipo == Tipo.REABERTURA and i.origem == Origem.CONSUMIDOR for i in interacoes)


def json_do_protocolo(protocolo: Protocolo, interacoes: list[Interacao]):
    """The public record of one protocol, for the JSON download."""
    return {
        "numero": protocolo.numero,
        "numero_formatado": protocolo.numero_formatado,
        "aberto_em": timezone.localtime(protocolo.aberto_em).isoformat(),
        "canal": protocolo.get_canal_display(),
        "categoria": str(protocolo.categoria) if protocolo.categoria else None,
        "objeto": protocolo.objeto,
        "situacao": protocolo.get_situacao_display(),
        "nivel": protocolo.get_nivel_display(),
        "prazo": protocolo.prazo.isoformat() if protocolo.prazo else None,
        "cpf": protocolo.consumidor.cpf_mascarado if protocolo.consumidor else "",
        "duplicado_de": protocolo.duplicado_de.numero if protocolo.duplicado_de_id else None,
        "historico": [
            {
                "ordem": e["ordem"],
                "quando": e["quando"].isoformat(),
                "evento": e["titulo"],
                "autor": e["autor"],
                "texto": e["texto"],
                "detalhe": e["detalhe"],
                "anexos": [
                    {"nome": a["nome"], "sha256": a["sha256"], "removido": a["removido"] or None} for a in e["anexos"]
                ],
            }
            for e in linha_publica(interacoes)
        ],
    }


# Where the demand stands, in the consumer's words: four steps, what happens next and by when.
ETAPAS = ("Registrado", "Em análise", "Respondido", "Encerrado")
ETAPA_DA_SITUACAO = {
    Situacao.ABERTO: 0,
    Situacao.EM_ATENDIMENTO: 1,
    Situacao.AGUARDANDO_CONSUMIDOR: 1,
    Situacao.RESOLVIDO: 2,
    Situacao.ENCERRADO: 3,
    Situacao.CANCELADO: 3,
}


def _data(valor):
    return f"{valor:%d/%m/%Y}"


def proximo_passo(protocolo):
    """What happens next and by when, in one sentence ("" once nothing more happens)."""
    situacao = protocolo.situacao
    if situacao in (Situacao.ABERTO, Situacao.EM_ATENDIMENTO):
        if protocolo.prazo is None:
            return "A empresa define o assunto e o prazo de resposta; depois, responde por aqui."
        if (protocolo.dias_para_o_prazo or 0) < 0:
            return f"A empresa devia ter respondido até {_data(protocolo.prazo)}: o prazo venceu."
        return f"A empresa responde até {_data(protocolo.prazo)}."
    if situacao == Situacao.AGUARDANDO_CONSUMIDOR:
        return "Responda a última mensagem da empresa, ao lado do histórico: o atendimento continua com a sua resposta."
    if situacao == Situacao.RESOLVIDO and protocolo.resolvido_em is not None:
        limite = timezone.localtime(protocolo.resolvido_em + PRAZO_CONTESTACAO)
        return (
            f"Diga se a resposta resolveu até {_data(limite)}; sem a sua resposta, o protocolo é encerrado nessa data."
        )
    return ""


def andamento(protocolo):
    """The progress line: each step with its state ("feita", "atual" or "futura")."""
    atual = ETAPA_DA_SITUACAO[protocolo.situacao]
    nomes = list(ETAPAS)
    if protocolo.situacao == Situacao.CANCELADO:
        nomes[-1] = "Cancelado"
    return [
        {"nome": nome, "estado": "feita" if i < atual else "atual" if i == atual else "futura"}
        for i, nome in enumerate(nomes)
    ]


def resposta_da_empresa(interacoes):
    """The company's last resolution, which the consumer is asked to judge, or None."""
    for interacao in reversed(interacoes):
        if interacao.tipo == Tipo.RESOLUCAO and interacao.publica:
            return {"quando": timezone.localtime(interacao.criada_em), "texto": interacao.texto}
    return None
