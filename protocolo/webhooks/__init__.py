"""
Webhooks (docs/integracao.md, "Webhooks"): the events a change of a protocol writes beside its
timeline entry (eventos), their delivery, signed the Standard Webhooks way and retried for about a
day (entrega), and the one way out to a receiver, which refuses what could reach the company's own
network (rede; docs/seguranca.md, "Webhooks").
"""
