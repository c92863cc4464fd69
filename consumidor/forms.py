"""Public forms. Every value is normalised and validated here, in Portuguese, before any query:
an impossible number or CPF never reaches the database."""

import re
import secrets

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.conf import settings

from protocolo.exceptions import DadosInvalidos
from protocolo.forms import CampoDeAnexos, ComAnexos
from protocolo.models import CanalPreferido, Categoria
from protocolo.services.codigos import envia_codigos
from protocolo.services.contatos import TipoContato, normalizar
from protocolo.services.preferencias import canais_de_telefone
from protocolo.validators import normalizar_cpf, normalizar_numero, validar_linha, validar_texto

OBJETO_MAXIMO = 4000
MENSAGEM_MAXIMA = 4000
COMENTARIO_MAXIMO = 2000
CHAVE = re.compile(r"[0-9a-f]{32}")


def _ajudante(*, tag=False):
    ajudante = FormHelper()
    ajudante.form_tag = tag
    ajudante.disable_csrf = True
    return ajudante


def _obrigatorio_padrao(campo):
    return f"Preencha “{campo.label}”."


class FormularioDoPortal(forms.Form):
    """A public form: rendered by crispy-forms inside our own <form>, and speaking in one voice. Each
    required field names what to type ("Informe o CPF.", "Escolha o assunto."); one that does not
    gets "Preencha “<rótulo>”.", never Django's "Este campo é obrigatório."."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _ajudante()
        padrao = forms.Field.default_error_messages["required"]
        for campo in self.fields.values():
            if campo.error_messages.get("required") == padrao:
                campo.error_messages["required"] = _obrigatorio_padrao(campo)


class CampoCPF(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "CPF")
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "000.000.000-00"}),
        )
        kwargs["error_messages"] = {
            "required": "Informe o CPF.",
            "max_length": "O CPF tem 11 dígitos.",
            "null_characters_not_allowed": "O CPF tem apenas algarismos (pontos e traço são opcionais).",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)

    def clean(self, value):
        valor = super().clean(value)
        return normalizar_cpf(valor) if valor else valor


class TextoLivre(forms.CharField):
    """Free text: a text area keeps line breaks and tabs, a one-line input (a name) refuses them;
    other control characters are refused in both (protocolo.validators.validar_texto)."""

    def __init__(self, *, max_length, obrigatorio=None, **kwargs):
        kwargs["error_messages"] = {
            **({"required": obrigatorio} if obrigatorio else {}),
            "max_length": f"Use no máximo {max_length} caracteres (você usou %(show_value)d).",
            "null_characters_not_allowed": "O texto contém caracteres inválidos.",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(max_length=max_length, **kwargs)
        self.validators.append(validar_texto if isinstance(self.widget, forms.Textarea) else validar_linha)


class ConsultaForm(FormularioDoPortal):
    numero = forms.CharField(
        label="Número do protocolo",
        max_length=40,
        error_messages={
            "required": "Informe o número do protocolo.",
            "max_length": "Número de protocolo inválido.",
            "null_characters_not_allowed": "O número do protocolo tem apenas algarismos.",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="Com ou sem espaços, pontos ou traços.",
    )
    cpf = CampoCPF(help_text="O CPF informado no atendimento.")

    def clean_numero(self):
        return normalizar_numero(self.cleaned_data["numero"])


class RecuperacaoForm(FormularioDoPortal):
    cpf = CampoCPF()


class _Identificacao(FormularioDoPortal):
    # One-time key drawn when the form is shown: sending the same page twice opens one protocol.
    chave = forms.CharField(widget=forms.HiddenInput, required=False)
    cpf = CampoCPF()
    nome = TextoLivre(
        label="Nome completo",
        max_length=200,
        obrigatorio="Informe o seu nome completo.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="Enviamos um link para confirmar este e-mail; confirmado, ele recebe o número e as respostas "
        "deste protocolo.",
        error_messages={"invalid": "Informe um e-mail válido.", "required": "Informe o e-mail."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        # A quoted local part may hold control characters the address rules allow and no one types.
        validators=[validar_linha],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["chave"] = secrets.token_hex(16)

    def clean_chave(self):
        # Anything but a key we could have drawn is no key: the opening goes ahead without one.
        chave = self.cleaned_data["chave"]
        return chave if CHAVE.fullmatch(chave) else ""


class _Abertura(_Identificacao):
    categoria = forms.ModelChoiceField(
        label="Assunto",
        queryset=Categoria.objects.filter(ativa=True).order_by("nome"),
        empty_label="Escolha o assunto",
        error_messages={"required": "Escolha o assunto.", "invalid_choice": "Escolha um assunto da lista."},
    )
    objeto = TextoLivre(
        label="O que você precisa?",
        max_length=OBJETO_MAXIMO,
        obrigatorio="Conte o que você precisa.",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Conte o que aconteceu e o que você espera da empresa.",
    )


SEM_PREFERENCIA = ("", "Sem preferência")


def _escolhas_de_canal(*, email=True, telefone=True):
    """The preferred-channel choices: e-mail, and SMS or WhatsApp when the company sends by them."""
    escolhas = [(CanalPreferido.EMAIL.value, "E-mail")] if email else []
    if telefone:
        escolhas += [(canal.value, CanalPreferido(canal).label) for canal in canais_de_telefone()]
    return escolhas


class CampoTelefone(forms.CharField):
    """A telephone as stored (E.164), or an error in Portuguese on the field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Telefone celular (opcional)")
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "(11) 98765-4321"}),
        )
        kwargs["error_messages"] = {
            "max_length": "Telefone inválido: informe o DDD e o número.",
            "null_characters_not_allowed": "O telefone tem apenas algarismos.",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)

    def clean(self, value):
        valor = super().clean(value)
        try:
            return normalizar(TipoContato.TELEFONE, valor) if valor else ""
        except DadosInvalidos as erro:
            raise forms.ValidationError(erro.mensagem) from None


class _ComTelefone(forms.Form):
    """The optional telephone and preferred channel of a portal opening. The telephone is asked only
    while a code can confirm it (SMS or WhatsApp configured)."""

    telefone = CampoTelefone(
        required=False,
        help_text="Enviamos a ele só um código de confirmação, que você digita na página do protocolo; "
        "confirmado, ele também recebe as mensagens deste protocolo.",
    )
    canal_preferido = forms.ChoiceField(
        label="Como prefere receber as mensagens",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Escolha um canal da lista."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not envia_codigos():
            # E-mail is then the only channel: a choice between it and no preference says nothing.
            del self.fields["telefone"], self.fields["canal_preferido"]
            return
        self.fields["canal_preferido"].choices = [
            SEM_PREFERENCIA,
            *_escolhas_de_canal(telefone="telefone" in self.fields),
        ]

    def clean(self):
        dados = super().clean()
        canal = dados.get("canal_preferido")
        por_telefone = canal in (CanalPreferido.SMS, CanalPreferido.WHATSAPP)
        if por_telefone and not dados.get("telefone") and "telefone" not in self.errors:
            self.add_error("telefone", "Para receber por SMS ou WhatsApp, informe o telefone.")
        return dados


class AberturaForm(ComAnexos, _ComTelefone, _Abertura):
    # The files last: the browser sends the fields in this order, and a body stopped at a file past
    # the limit keeps everything typed before it.
    field_order = ["chave", "cpf", "nome", "email", "telefone", "canal_preferido", "categoria", "objeto", "arquivos"]
    arquivos = CampoDeAnexos(label="Documentos e fotos (opcional)")


class TitularForm(_Identificacao):
    PEDIDOS = [
        ("acesso", "Acesso aos meus dados"),
        ("correcao", "Correção de dados incompletos, inexatos ou desatualizados"),
        ("exclusao", "Anonimização ou eliminação de dados"),
        ("informacao", "Informação sobre com quem os meus dados são compartilhados"),
    ]
    pedido = forms.ChoiceField(
        label="O que você pede",
        choices=PEDIDOS,
        widget=forms.RadioSelect,
        error_messages={"required": "Escolha o pedido.", "invalid_choice": "Escolha um pedido da lista."},
    )
    detalhes = TextoLivre(
        label="Detalhes (opcional)",
        max_length=COMENTARIO_MAXIMO,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def objeto(self):
        rotulo = dict(self.PEDIDOS)[self.cleaned_data["pedido"]]
        texto = f"Solicitação do titular dos dados (LGPD art. 18): {rotulo}."
        if self.cleaned_data.get("detalhes"):
            texto += f"\n\n{self.cleaned_data['detalhes']}"
        return texto


class MensagemForm(ComAnexos, FormularioDoPortal):
    texto = TextoLivre(
        label="Sua mensagem",
        max_length=MENSAGEM_MAXIMA,
        obrigatorio="Escreva a sua mensagem.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    arquivos = CampoDeAnexos()


class RespostaForm(FormularioDoPortal):
    RESOLVIDO, NAO_RESOLVIDO = "resolvido", "nao_resolvido"
    resposta = forms.ChoiceField(
        label="A sua demanda foi resolvida?",
        choices=[(RESOLVIDO, "Sim, foi resolvida"), (NAO_RESOLVIDO, "Não foi resolvida")],
        widget=forms.RadioSelect,
        error_messages={"required": "Diga se a demanda foi resolvida.", "invalid_choice": "Escolha sim ou não."},
    )
    avaliacao = forms.TypedChoiceField(
        label="Sua nota para o atendimento (1 = péssimo, 5 = ótimo)",
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "A nota vai de 1 a 5."},
    )
    comentario = TextoLivre(
        label="Comentário",
        help_text="Opcional se foi resolvida; se não foi, conte o que faltou.",
        max_length=COMENTARIO_MAXIMO,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rating is a row of large targets (static/css/consumidor.css, ".nota").
        self.helper.layout = Layout("resposta", InlineRadios("avaliacao", wrapper_class="nota"), "comentario")

    def clean(self):
        dados = super().clean()
        resposta = dados.get("resposta")
        if resposta == self.RESOLVIDO and dados.get("avaliacao") is None and "avaliacao" not in self.errors:
            self.add_error("avaliacao", "Dê uma nota de 1 a 5.")
        if resposta == self.NAO_RESOLVIDO and not dados.get("comentario") and "comentario" not in self.errors:
            self.add_error("comentario", "Conte o que faltou para resolver.")
        return dados


# The protocol's page: the telephone's code and the channels -----------------------------------------


class _DoProtocolo(FormularioDoPortal):
    """A form about the protocol's contacts: `telefone` picks one of `telefones` by its id, so a
    forged id is an error on the form, never a lookup."""

    def __init__(self, *args, telefones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.telefones = {str(c.pk): c for c in telefones}
        if "telefone" in self.fields:
            self.fields["telefone"].choices = [(k, k) for k in self.telefones]

    def clean_telefone(self):
        return self.telefones[self.cleaned_data["telefone"]]


_ESCOLHA_DE_TELEFONE = {
    "required": "Escolha o telefone.",
    "invalid_choice": "Este telefone não está mais entre os deste protocolo: recarregue a página.",
}


class CodigoForm(_DoProtocolo):
    telefone = forms.ChoiceField(widget=forms.HiddenInput, error_messages=_ESCOLHA_DE_TELEFONE)
    codigo = forms.CharField(
        label="Código recebido",
        max_length=20,
        error_messages={
            "required": "Digite o código que você recebeu.",
            "max_length": "O código tem 6 algarismos.",
            "null_characters_not_allowed": "O código tem apenas algarismos.",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_codigo(self):
        codigo = "".join(self.cleaned_data["codigo"].split()).replace("-", "")
        if not re.fullmatch(r"[0-9]{6}", codigo):
            raise forms.ValidationError("O código tem 6 algarismos.")
        return codigo


class NovoCodigoForm(_DoProtocolo):
    telefone = forms.ChoiceField(widget=forms.HiddenInput, error_messages=_ESCOLHA_DE_TELEFONE)


class PreferenciaForm(FormularioDoPortal):
    canal_preferido = forms.ChoiceField(
        label="Canal preferido",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Escolha um canal da lista."},
    )

    def __init__(self, *args, canais=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canal_preferido"].choices = [
            SEM_PREFERENCIA,
            *((c.value, "E-mail" if c == CanalPreferido.EMAIL else c.label) for c in canais),
        ]


class CanalDoTelefoneForm(_DoProtocolo):
    PARAR, RETOMAR = "parar", "retomar"
    telefone = forms.ChoiceField(widget=forms.HiddenInput, error_messages=_ESCOLHA_DE_TELEFONE)
    canal = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages={"required": "Escolha o canal.", "invalid_choice": "Canal inválido: escolha SMS ou WhatsApp."},
    )
    acao = forms.ChoiceField(
        choices=[(PARAR, "parar"), (RETOMAR, "retomar")],
        widget=forms.HiddenInput,
        error_messages={"required": "Escolha parar ou retomar.", "invalid_choice": "Escolha parar ou retomar."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canal"].choices = [(c.value, c.label) for c in canais_de_telefone()]


class VerificacaoPdfForm(FormularioDoPortal):
    """A PDF someone wants checked (/verificar/): only its size is judged here; what it holds is
    protocolo.evidencias.validacao's to say, in a child process."""

    arquivo = forms.FileField(
        label="Arquivo PDF",
        error_messages={
            "required": "Escolha o arquivo PDF a verificar.",
            "empty": "O arquivo enviado está vazio.",
            "invalid": "Não recebemos um arquivo. Escolha o PDF e envie de novo.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text="O comprovante ou o dossiê que você baixou do portal.",
    )

    def clean_arquivo(self):
        arquivo = self.cleaned_data["arquivo"]
        if arquivo.size > settings.PROTOCOLO_VERIFICACAO_PDF_BYTES:
            mb = settings.PROTOCOLO_VERIFICACAO_PDF_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"O arquivo tem mais de {mb} MB: nenhum PDF nosso é tão grande.")
        return arquivo
