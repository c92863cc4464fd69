"""The forms of the actions both faces offer: the admin's, on a selection of protocols, and the
back-office's, on one protocol (atendimento/forms.py adds the versão its page carries). One class
per action, so what is typed is bounded and refused the same way in both. The rules of the domain
stay in the services, which refuse with their own message, the same in both faces: a new prazo
later than the current one is protocolo_prorrogar_prazo's rule, and a selection has no single
current prazo to compare with anyway."""

from django import forms

from . import selectors
from .models import nome_de
from .services import TEXTO_MAXIMO
from .validators import validar_texto


def campo_de_texto(label, *, obrigatorio=True, linhas=3):
    """Free text, capped where the services cap it: a text a form accepts is never refused by the
    service for its length."""
    return forms.CharField(
        label=label,
        required=obrigatorio,
        max_length=TEXTO_MAXIMO,
        strip=True,
        widget=forms.Textarea(attrs={"rows": linhas, "cols": 60}),
        validators=[validar_texto],
    )


class AtribuirForm(forms.Form):
    """An active attendant, or nobody: the protocol goes back to the queue."""

    responsavel = forms.ModelChoiceField(
        label="Atribuir a", queryset=None, required=False, empty_label="ninguém (devolver à fila)"
    )

    def __init__(self, *args, atendentes=None, **kwargs):
        super().__init__(*args, **kwargs)
        campo = self.fields["responsavel"]
        campo.queryset = selectors.atendentes_ativos()
        campo.label_from_instance = nome_de
        if atendentes is not None:
            # The page has read them already: shown without reading them again. What is posted
            # is still checked against the queryset.
            campo.choices = [("", campo.empty_label), *((str(u.pk), nome_de(u)) for u in atendentes)]


class MotivoForm(forms.Form):
    motivo = campo_de_texto("Motivo")


class ResolverForm(forms.Form):
    texto = campo_de_texto("Resolução (pública: o consumidor recebe por e-mail)", linhas=4)


class ProrrogarForm(forms.Form):
    novo_prazo = forms.DateField(
        label="Novo prazo",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    motivo = campo_de_texto("Motivo")
