"""
The back-office (docs/dominio.md §5: Atendentes and Supervisores), one module per page: the queue and
starting a service (painel), a protocol and its actions (protocolo), the consumer search
(consumidores); what they share is in comum. Thin views: each reads through one selector or calls
one service and redirects; a refused form comes back with the domain's message and the typed text
(a form made on an older version of the protocol, with the message saying who changed what).

The accounts' pages (password, second factor) live with the accounts, in protocolo/contas/.
"""
