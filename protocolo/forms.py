"""The forms of the actions both faces offer: the admin's, on a selection of protocols, and the
back-office's, on one protocol (atendimento/forms.py adds the versão its page carries). One class
per action, so what is typed is bounded and refused the same way in both. The rules of the domain
stay in the services, which refuse with their own message, the same in both faces: a new prazo
later than the current one is protocolo_prorrogar_prazo's rule, and a selection has no single
current prazo to compare with anyway."""

from django import forms
from django.conf import settings

from . import anexos, selectors
from .exceptions import DadosInvalidos
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


class VariosArquivos(forms.ClearableFileInput):
    allow_multiple_selected = True


class CampoDeAnexos(forms.FileField):
    """Files of one message, read for what they are (protocolo/anexos.py): cleaned into the files
    as they will be kept, or a Portuguese error on the field. The form that has it is built with
    `recusa`: the refusal the upload handler left on the request when it stopped reading a body
    past the limits (request.anexos_recusados)."""

    widget = VariosArquivos

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Arquivos (opcional)")
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"Até {settings.PROTOCOLO_ANEXOS_POR_MENSAGEM} arquivos de até "
            f"{settings.PROTOCOLO_ANEXOS_TAMANHO_MAXIMO // (1024 * 1024)} MB cada: {anexos.ACEITOS}. "
            "Fotos perdem a localização e os outros metadados.",
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,.webp,.heic,.heif,.txt")

    def clean(self, data, initial=None):
        lista = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        for arquivo in lista:
            super().clean(arquivo, initial)
        try:
            return anexos.preparar(lista)
        except DadosInvalidos as erro:
            raise forms.ValidationError(erro.mensagem) from None


class ComAnexos:
    """A form with an `arquivos` field: the upload handler's refusal becomes its error."""

    def __init__(self, *args, recusa="", **kwargs):
        super().__init__(*args, **kwargs)
        self.recusa = recusa

    def clean(self):
        dados = super().clean()
        if self.recusa:
            self.add_error("arquivos", self.recusa)
        return dados


# The choice that returns a protocol to the queue: a value of its own, so that the empty choice
# (nothing picked yet) is refused instead of silently meaning "nobody".
NINGUEM = "fila"


class EscolhaDeResponsavel(forms.ModelChoiceField):
    def clean(self, value):
        if value == NINGUEM:
            return None
        return super().clean(value)


class AtribuirForm(forms.Form):
    """An active attendant, or nobody (the protocol goes back to the queue), picked on purpose:
    the list starts on an empty choice that must be changed, never on someone."""

    responsavel = EscolhaDeResponsavel(
        label="Atribuir a",
        queryset=None,
        empty_label="— escolha —",
        error_messages={"required": "Escolha um atendente, ou “ninguém” para devolver à fila."},
    )

    def __init__(self, *args, atendentes=None, **kwargs):
        super().__init__(*args, **kwargs)
        campo = self.fields["responsavel"]
        campo.queryset = selectors.atendentes_ativos()
        campo.label_from_instance = nome_de
        vazia = campo.empty_label

        # A callable: read only when rendered (a posted form never reads the list), or taken from
        # the list the page has read already. What is posted is still checked against the queryset.
        def escolhas():
            lista = campo.queryset if atendentes is None else atendentes
            return [("", vazia), (NINGUEM, "ninguém (devolver à fila)"), *((str(u.pk), nome_de(u)) for u in lista)]

        campo.choices = escolhas


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
