"""
The register every protocol refers to: consumers, categories with their deadlines, holidays.
"""

from django.db import models
from django.db.models import Q
from stdnum.br import cpf as stdnum_cpf

from .. import relogio
from ..validators import validar_cpf


def _em(campo, escolhas):
    return Q(**{f"{campo}__in": [valor for valor, _ in escolhas]})


class Consumidor(models.Model):
    # NULL, not "": several anonymised or not yet identified consumers have no CPF, and NULLs
    # never collide under the unique constraint.
    cpf = models.CharField("CPF", max_length=11, null=True, blank=True, unique=True, validators=[validar_cpf])
    nome = models.CharField(max_length=200, blank=True)
    # No e-mail or telephone here: a contact is a Contato, scoped to the protocol it was typed for
    # or bound to this consumer after an identity check (docs/seguranca.md, "Contatos").
    criado_em = models.DateTimeField(default=relogio.agora)
    anonimizado_em = models.DateTimeField(null=True, blank=True)
    retencao_suspensa = models.BooleanField(
        "guarda legal", default=False, help_text="Impede a anonimização (processo, ordem judicial)."
    )
    motivo_retencao = models.TextField("motivo da guarda legal", blank=True)

    class Meta:
        verbose_name = "consumidor"
        verbose_name_plural = "consumidores"
        constraints = [
            models.CheckConstraint(
                condition=Q(cpf__isnull=True) | Q(cpf__regex=r"^[0-9]{11}$"), name="consumidor_cpf_11_digitos"
            ),
        ]

    def __str__(self):
        return self.nome or self.cpf_mascarado or f"Consumidor {self.pk}"

    @property
    def cpf_mascarado(self):
        return mascarar_cpf(self.cpf)


def mascarar_cpf(cpf):
    """***.456.789-** : enough for the consumer to recognise it, too little to reuse it."""
    if not cpf:
        return ""
    return f"***.{cpf[3:6]}.{cpf[6:9]}-**"


def nome_de(usuario):
    """How the team and the record name a user: the full name, else the username; "" for nobody."""
    return (usuario.get_full_name() or usuario.get_username()) if usuario else ""


def formatar_cpf(cpf):
    return stdnum_cpf.format(cpf) if cpf else ""


class TipoPrazo(models.TextChoices):
    CORRIDOS = "corridos", "dias corridos"
    UTEIS = "uteis", "dias úteis"
    IMEDIATO = "imediato", "imediato (no mesmo dia)"


class Calendario(models.TextChoices):
    CIVIL = "civil", "civil: feriados nacionais e estaduais"
    B3 = "b3", "B3 (bolsa): fecha também no Carnaval, Corpus Christi, 24 e 31/12"
    BANCARIO = "bancario", "bancário (Res. CMN 4.880/2020): feriados nacionais e Carnaval"


class Categoria(models.Model):
    TipoPrazo = TipoPrazo
    Calendario = Calendario

    codigo = models.SlugField("código", max_length=40, unique=True)
    nome = models.CharField(max_length=100)
    prazo_dias = models.PositiveSmallIntegerField("prazo (dias)", default=7)
    tipo_prazo = models.CharField("tipo de prazo", max_length=10, choices=TipoPrazo, default=TipoPrazo.CORRIDOS)
    calendario = models.CharField(
        "calendário",
        max_length=10,
        choices=Calendario,
        default=Calendario.CIVIL,
        help_text="Ouvidoria de banco (Res. CMN 4.860): bancário. Feriados municipais (na cidade de São "
        "Paulo, 25 de janeiro e Corpus Christi) não estão em nenhum calendário: cadastre-os em "
        "Feriados locais; os dados de demonstração não trazem nenhum.",
    )
    ativa = models.BooleanField(default=True)

    class Meta:
        verbose_name = "categoria"
        ordering = ["nome"]
        constraints = [
            models.CheckConstraint(condition=_em("tipo_prazo", TipoPrazo.choices), name="categoria_tipo_prazo_valido"),
            models.CheckConstraint(condition=_em("calendario", Calendario.choices), name="categoria_calendario_valido"),
        ]

    def __str__(self):
        return self.nome

    def descricao_prazo(self):
        if self.tipo_prazo == self.TipoPrazo.IMEDIATO:
            return "imediato"
        return f"{self.prazo_dias} {self.get_tipo_prazo_display()}"


class Feriado(models.Model):
    """Local non-business days supervisors add: municipal holidays, company closures."""

    data = models.DateField(
        unique=True,
        help_text="Vale para todos os calendários. Os feriados municipais só entram por aqui (na cidade "
        "de São Paulo: 25 de janeiro, aniversário da cidade, e Corpus Christi); os dados de "
        "demonstração não trazem nenhum.",
    )
    descricao = models.CharField("descrição", max_length=100)

    class Meta:
        verbose_name = "feriado local"
        verbose_name_plural = "feriados locais"
        ordering = ["-data"]

    def __str__(self):
        return f"{self.data:%d/%m/%Y} — {self.descricao}"
