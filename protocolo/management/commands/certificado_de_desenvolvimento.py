"""
`make run` calls this when PROTOCOLO_ASSINATURA_PKCS12 is not set: a development certificate for the
signed PDFs (protocolo/evidencias/desenvolvimento.py), created once and kept in a git-ignored folder.
Only under DEBUG: production signs with the company's own certificate (docs/evidencias.md).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from protocolo.evidencias import desenvolvimento

SENHA = "desenvolvimento"


class Command(BaseCommand):
    help = "Cria (uma vez) o certificado de desenvolvimento que assina os PDFs no make run."

    def add_arguments(self, parser):
        parser.add_argument("caminho", help="arquivo PKCS#12 a criar, se ainda não existir")

    def handle(self, *args, caminho, **options):
        if not settings.DEBUG:
            raise CommandError("O certificado de desenvolvimento só existe com DEBUG=1; em produção, use o e-CNPJ A1.")
        caminho = Path(caminho)
        if not caminho.exists():
            desenvolvimento.criar(caminho, senha=SENHA)
        self.stdout.write(
            f"  PDFs assinados com um certificado de DESENVOLVIMENTO ({caminho}, senha {SENHA!r}): "
            "confere a integridade, mas não identifica empresa alguma. Em produção: PROTOCOLO_ASSINATURA_PKCS12."
        )
