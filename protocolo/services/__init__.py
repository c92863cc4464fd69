"""
Everything that changes a protocol. Each service locks the row, refuses an illegal move with a
domain exception before it touches anything, writes exactly one timeline entry and the outbox rows
the change causes, and saves only the fields it changed.

One module per concern, all of them importable from here (`services.protocolo_abrir(...)`):
the helpers every service shares (historico), consumers (consumidores), contacts and the recovery
(contatos), openings (abertura), what
the demand is about (demanda), messages and their files (mensagens), who handles it (atribuicao), the moves of the
situação (movimentos), the nível (nivel), deadline extensions (prorrogacao), integrated systems
and their tokens (sistemas) and what those systems do through the API in one call (integracao).
"""

from .abertura import (
    protocolo_abrir,
    protocolo_abrir_completo,
    protocolo_abrir_pelo_portal,
    protocolo_abrir_por_mensagem,
    protocolo_enviar_numero,
)
from .atribuicao import protocolo_atribuir
from .codigos import protocolo_confirmar_telefone, protocolo_pedir_codigo
from .consumidores import (
    consumidor_identificar,
    consumidor_revelar_cpf,
    protocolo_identificar_consumidor,
    protocolo_identificar_por_cpf,
)
from .contatos import (
    ESCOPOS,
    RECUPERACAO_MAXIMO,
    VERIFICACOES,
    consumidor_identidade_confirmada,
    consumidor_pedir_protocolos,
    consumidor_vincular_contato,
    contato_confirmar,
    contato_do_protocolo,
    contato_do_token,
    contatos_para_a_equipe,
    destinatarios,
    processar_pedidos_de_recuperacao,
    protocolo_identidade_confirmada,
)
from .demanda import protocolo_definir_categoria, protocolo_registrar_objeto
from .historico import EMAIL_MAXIMO, SEM_VERSAO, TEXTO_MAXIMO, Origem, Tipo, anexar_ao_historico
from .integracao import protocolo_abrir_por_sistema, protocolo_identificar_por_sistema
from .mensagens import anexar, protocolo_registrar_interacao
from .movimentos import (
    protocolo_cancelar,
    protocolo_encerrar,
    protocolo_encerrar_sem_demanda,
    protocolo_marcar_duplicado,
    protocolo_mudar_situacao,
    protocolo_reabrir,
    protocolo_resolver,
    protocolo_responder_resolucao,
)
from .nivel import protocolo_escalar, protocolo_pedir_supervisao
from .preferencias import protocolo_escolher_canal_do_telefone, protocolo_preferir_canal
from .prorrogacao import protocolo_prorrogar_prazo
from .sistemas import (
    consumidor_registrar_leitura,
    credencial_criar,
    credencial_revogar,
    sistema_alterar,
    sistema_criar,
)

__all__ = [
    "EMAIL_MAXIMO",
    "ESCOPOS",
    "RECUPERACAO_MAXIMO",
    "SEM_VERSAO",
    "TEXTO_MAXIMO",
    "VERIFICACOES",
    "Origem",
    "Tipo",
    "anexar",
    "anexar_ao_historico",
    "consumidor_identidade_confirmada",
    "consumidor_identificar",
    "consumidor_pedir_protocolos",
    "consumidor_registrar_leitura",
    "consumidor_revelar_cpf",
    "consumidor_vincular_contato",
    "contato_confirmar",
    "contato_do_protocolo",
    "contato_do_token",
    "contatos_para_a_equipe",
    "credencial_criar",
    "credencial_revogar",
    "destinatarios",
    "processar_pedidos_de_recuperacao",
    "protocolo_abrir",
    "protocolo_abrir_completo",
    "protocolo_abrir_pelo_portal",
    "protocolo_abrir_por_mensagem",
    "protocolo_abrir_por_sistema",
    "protocolo_atribuir",
    "protocolo_cancelar",
    "protocolo_confirmar_telefone",
    "protocolo_definir_categoria",
    "protocolo_encerrar",
    "protocolo_encerrar_sem_demanda",
    "protocolo_enviar_numero",
    "protocolo_escalar",
    "protocolo_escolher_canal_do_telefone",
    "protocolo_identidade_confirmada",
    "protocolo_identificar_consumidor",
    "protocolo_identificar_por_cpf",
    "protocolo_identificar_por_sistema",
    "protocolo_marcar_duplicado",
    "protocolo_mudar_situacao",
    "protocolo_pedir_codigo",
    "protocolo_pedir_supervisao",
    "protocolo_preferir_canal",
    "protocolo_prorrogar_prazo",
    "protocolo_reabrir",
    "protocolo_registrar_interacao",
    "protocolo_registrar_objeto",
    "protocolo_resolver",
    "protocolo_responder_resolucao",
    "sistema_alterar",
    "sistema_criar",
]
