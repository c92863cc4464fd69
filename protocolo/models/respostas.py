"""
Canned answers the supervisors keep, and every saved version of each.
"""

import pgtrigger
from django.conf import settings
from django.db import models

from .. import relogio
from ..exceptions import RegistroImutavel
from .cadastro import Categoria
from .protocolos import SomenteAcrescimoQuerySet


class RespostaPronta(models.Model):
    """A canned answer supervisors keep in the admin, for one categoria or for all (categoria
    empty). Its placeholders (respostas.MARCADORES) are replaced by plain substitution when an
    attendant picks it; the attendant edits the result before sending. Every saved state is kept
    in VersaoDeRespostaPronta, and nothing is deleted: an answer out of use is marked inactive."""

    titulo = models.CharField("título", max_length=100)
    categoria = models.ForeignKey(
        Categoria,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vazia: a resposta serve a todas as categorias.",
    )
    texto = models.TextField(
        help_text="Marcadores: {nome} (do consumidor), {numero} (do protocolo), {prazo} (data) e "
        "{telefone_empresa}. São trocados pelo valor, nada mais é interpretado."
    )
    ativa = models.BooleanField(default=True)

    class Meta:
        verbose_name = "resposta pronta"
        verbose_name_plural = "respostas prontas"
        ordering = ["titulo", "pk"]
        triggers = [pgtrigger.Protect(name="resposta_pronta_sem_exclusao", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.titulo


class VersaoDeRespostaPronta(models.Model):
    """One saved state of a canned answer and who saved it: the content's history, append-only
    (the admin's LogEntry says only that something changed)."""

    resposta = models.ForeignKey(RespostaPronta, on_delete=models.PROTECT, related_name="versoes")
    titulo = models.CharField("título", max_length=100)
    categoria = models.ForeignKey(Categoria, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    texto = models.TextField()
    ativa = models.BooleanField()
    autor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    salva_em = models.DateTimeField(default=relogio.agora, editable=False)

    objects = SomenteAcrescimoQuerySet.as_manager()

    class Meta:
        verbose_name = "versão de resposta pronta"
        verbose_name_plural = "versões de respostas prontas"
        ordering = ["-salva_em", "-pk"]
        triggers = [
            pgtrigger.Protect(name="versao_resposta_somente_acrescimo", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self):
        return f"{self.titulo} ({self.salva_em:%d/%m/%Y %H:%M})"

    def save(self, *args, **kwargs):
        if not self._state.adding or self.pk is not None:
            raise RegistroImutavel("As versões são somente de acréscimo: salve a resposta de novo.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RegistroImutavel("As versões são somente de acréscimo: nada pode ser excluído.")
