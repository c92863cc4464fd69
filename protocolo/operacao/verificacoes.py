"""
System checks of the deployment (`manage.py check --deploy`).

The rate limits and lockouts count in the cache named by PROTOCOLO_CACHE_LIMITES. A local-memory
cache is one count per process: gunicorn's two workers on one server already double every limit
(20 lookups a minute per address become 40), and each app server added multiplies them again. So
production needs a cache that every process shares (Redis, REDIS_URL); the local-memory cache is
for development and tests, where one process serves.

Attendants reveal full CPFs and change protocols: production asks the whole back-office for the
second factor (PROTOCOLO_SEGUNDO_FATOR_ATENDENTES, docs/seguranca.md). Turning it off is allowed (a
company may not hand phones to a call centre yet), but said at every deploy.

The receipts and dossiês a consumer downloads are signed with the company's certificate
(docs/evidencias.md): without PROTOCOLO_ASSINATURA_PKCS12 they go out unsigned, which development
allows and production refuses, as it refuses its other missing settings.
"""

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from protocolo.evidencias import assinatura


@checks.register(checks.Tags.security, deploy=True)
def limites_compartilhados(app_configs, **kwargs):
    if isinstance(caches[settings.PROTOCOLO_CACHE_LIMITES], LocMemCache):
        return [
            checks.Error(
                "Os limites de uso contam num cache em memória de cada processo: com vários processos, "
                "cada um conta os seus e todo limite se multiplica.",
                hint="Defina REDIS_URL (um Redis compartilhado por todos os processos e servidores).",
                id="protocolo.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def segundo_fator_na_retaguarda(app_configs, **kwargs):
    if not settings.PROTOCOLO_SEGUNDO_FATOR_ATENDENTES:
        return [
            checks.Warning(
                "A retaguarda não pede a verificação em duas etapas aos atendentes: só a senha protege a "
                "fila, as ações e a exibição do CPF completo.",
                hint="Remova PROTOCOLO_SEGUNDO_FATOR_ATENDENTES=0 do ambiente (o padrão em produção é pedir).",
                id="protocolo.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def certificado_de_assinatura(app_configs, **kwargs):
    if not settings.PROTOCOLO_ASSINATURA_PKCS12:
        return [
            checks.Error(
                "Nenhum certificado assina os PDFs de comprovante e dossiê: eles sairiam sem assinatura "
                "digital, e ninguém poderia conferi-los fora do portal.",
                hint="Defina PROTOCOLO_ASSINATURA_PKCS12 (o e-CNPJ A1 da empresa, .pfx/.p12) e "
                "PROTOCOLO_ASSINATURA_SENHA (docs/evidencias.md).",
                id="protocolo.E002",
            )
        ]
    try:
        assinatura.assinante()
    except assinatura.CertificadoInvalido as erro:
        return [
            checks.Error(
                str(erro),
                hint="Confira PROTOCOLO_ASSINATURA_SENHA e se o arquivo é um PKCS#12 com a chave privada.",
                id="protocolo.E003",
            )
        ]
    return []
