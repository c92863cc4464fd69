"""
The integration API under /api/v1/ (docs/integracao.md): the third face of the same services, for
the company's other systems (the telephone menu, chatbots, the CRM). Each system authenticates
with a token of its own (autenticacao), may do what its scopes allow (permissoes), is limited per
system, and gets every error as application/problem+json in Portuguese (erros). No business rule
is written here: the views call protocolo.services, as the back-office does.
"""
