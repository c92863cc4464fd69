"""The back-office's forms. They normalise (CPF, protocol numbers) and bound every text; the
services check the rules. Forms that change situação, nível, responsável or prazo carry the
protocol's `versao`, so a form made on an older version is refused by the service. The actions the
admin offers too (atribuir, escalar, resolver, cancelar, prorrogar) are protocolo/forms.py's, with
the versão added."""

from django import forms

from protocolo import forms as acoes
from protocolo.exceptions import DadosInvalidos
from protocolo.forms import CampoDeAnexos, ComAnexos, campo_de_texto
from protocolo.models import Canal, CanalPreferido, Contato
from protocolo.selectors import BUSCA_MINIMA
from protocolo.services.contatos import VERIFICACOES, TipoContato, normalizar
from protocolo.services.preferencias import telefones_do_protocolo
from protocolo.validators import normalizar_cpf, normalizar_numero, validar_linha

CANAIS_UM_PASSO = [(Canal.CHAT, Canal.CHAT.label), (Canal.EMAIL, Canal.EMAIL.label)]
CANAIS_ATENDENTE = [(valor, rotulo) for valor, rotulo in Canal.choices if valor != Canal.PORTAL]


class DoProtocolo(forms.Form):
    """A form about one protocol (the page builds every form the same way)."""

    def __init__(self, *args, protocolo=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.protocolo = protocolo


class ComVersao(DoProtocolo):
    versao = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.protocolo is not None and not self.is_bound:
            self.initial.setdefault("versao", self.protocolo.versao)


class IniciarForm(forms.Form):
    canal = forms.ChoiceField(label="Canal", choices=CANAIS_ATENDENTE, initial=Canal.TELEFONE)


class ContatoMixin(forms.Form):
    nome = forms.CharField(label="Nome", required=False, max_length=200, validators=[validar_linha])
    email = forms.EmailField(label="E-mail", required=False, max_length=254, validators=[validar_linha])
    telefone = forms.CharField(label="Telefone", required=False, max_length=20, validators=[validar_linha])

    def clean_telefone(self):
        """E.164, as the contact is stored, so a mistyped number is an error on its field."""
        try:
            return normalizar(TipoContato.TELEFONE, self.cleaned_data["telefone"])
        except DadosInvalidos as erro:
            raise forms.ValidationError(str(erro)) from None


class CpfOpcionalMixin(forms.Form):
    cpf = forms.CharField(
        label="CPF",
        required=False,
        max_length=20,
        help_text="Opcional no primeiro contato (Decreto 11.034, art. 4º §4º).",
    )

    def clean_cpf(self):
        valor = self.cleaned_data["cpf"]
        return normalizar_cpf(valor) if valor.strip() else ""


class AbrirCompletoForm(CpfOpcionalMixin, ContatoMixin):
    """Chat and e-mail: the protocol with its consumer, categoria and objeto in one step."""

    canal = forms.ChoiceField(label="Canal", choices=CANAIS_UM_PASSO, initial=Canal.CHAT)
    categoria = forms.ChoiceField(label="Categoria", required=False)
    objeto = campo_de_texto("Objeto da demanda", obrigatorio=False, linhas=4)
    field_order = ["canal", "cpf", "nome", "email", "telefone", "categoria", "objeto"]

    def __init__(self, *args, categorias=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categorias = {str(c.pk): c for c in categorias}
        self.fields["categoria"].choices = [
            ("", "ainda não definida"),
            *((k, c.nome) for k, c in self.categorias.items()),
        ]

    def clean_categoria(self):
        return self.categorias.get(self.cleaned_data["categoria"])

    def clean(self):
        dados = super().clean()
        if dados.get("canal") == Canal.EMAIL and not dados.get("email") and "email" not in self.errors:
            self.add_error("email", "Informe o e-mail do consumidor: o atendimento é por e-mail.")
        return dados


class IdentificarForm(ComVersao, CpfOpcionalMixin, ContatoMixin):
    """By CPF, or, since the first contact may not demand it, by name and contact alone."""

    field_order = ["cpf", "nome", "email", "telefone"]

    def clean(self):
        dados = super().clean()
        if not self.errors and not any(dados.get(campo) for campo in ("cpf", "nome", "email", "telefone")):
            raise forms.ValidationError("Informe o CPF ou, sem ele, o nome e um contato do consumidor.")
        return dados


class VincularContatoForm(DoProtocolo):
    """Binding a contact to the consumer: only after one of the identity checks of
    docs/seguranca.md, chosen here and recorded on the timeline."""

    tipo = forms.ChoiceField(label="Tipo", choices=Contato.Tipo.choices, initial=Contato.Tipo.EMAIL)
    valor = forms.CharField(label="E-mail ou telefone", max_length=254, validators=[validar_linha])
    verificacao = forms.ChoiceField(
        label="Verificação de identidade feita",
        choices=[("", "escolha…"), *VERIFICACOES.items()],
        help_text="Nome, data de nascimento, nome da mãe e endereço não servem: vazam junto com o CPF.",
    )


class PreferenciaForm(DoProtocolo):
    """The channel the consumer says, to the attendant, they prefer (the service checks that the
    protocol has a contact for it)."""

    canal_preferido = forms.ChoiceField(
        label="Canal preferido pelo consumidor",
        required=False,
        choices=[("", "sem preferência"), *CanalPreferido.choices],
        error_messages={"invalid_choice": "Escolha um canal da lista."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.protocolo is not None and not self.is_bound:
            self.initial["canal_preferido"] = self.protocolo.canal_preferido


class CanalDoTelefoneForm(DoProtocolo):
    """Stop or resume SMS or WhatsApp for a telephone of the protocol, as the consumer asks the
    attendant. Resuming a channel the consumer stopped is only ever their request: the attendant
    ticks that they asked for it, and the timeline records it so."""

    PARAR, RETOMAR = "parar", "retomar"
    contato = forms.IntegerField(widget=forms.HiddenInput, error_messages={"invalid": "Telefone inválido."})
    canal = forms.ChoiceField(
        choices=[("sms", "SMS"), ("whatsapp", "WhatsApp")],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Canal inválido: SMS ou WhatsApp."},
    )
    acao = forms.ChoiceField(
        choices=[(PARAR, "parar"), (RETOMAR, "retomar")],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Escolha parar ou retomar."},
    )
    pedido = forms.BooleanField(
        label="O consumidor pediu, neste atendimento, para voltar a receber por este canal.",
        required=False,
    )

    def clean_contato(self):
        pk = self.cleaned_data["contato"]
        for contato in telefones_do_protocolo(self.protocolo):
            if contato.pk == pk:
                return contato
        raise forms.ValidationError("Escolha um telefone confirmado deste protocolo.")

    def clean(self):
        dados = super().clean()
        if dados.get("acao") == self.RETOMAR and not dados.get("pedido"):
            self.add_error(
                "pedido", "Só o consumidor pode pedir para voltar a receber: confirme que ele pediu neste atendimento."
            )
        return dados


class CategoriaForm(ComVersao):
    categoria = forms.ChoiceField(label="Categoria")

    def __init__(self, *args, categorias=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categorias = {str(c.pk): c for c in categorias}
        self.fields["categoria"].choices = [("", "escolha…"), *((k, c.nome) for k, c in self.categorias.items())]
        if self.protocolo is not None and self.protocolo.categoria_id and not self.is_bound:
            self.initial["categoria"] = str(self.protocolo.categoria_id)

    def clean_categoria(self):
        return self.categorias[self.cleaned_data["categoria"]]


class ObjetoForm(DoProtocolo):
    objeto = campo_de_texto("Objeto da demanda", linhas=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.protocolo is not None and not self.is_bound:
            self.initial["objeto"] = self.protocolo.objeto


class InteracaoForm(ComAnexos, DoProtocolo):
    PUBLICA, INTERNA = "publica", "interna"
    tipo = forms.ChoiceField(
        label="Tipo",
        choices=[
            (PUBLICA, "Resposta ao consumidor (pública, enviada por e-mail)"),
            (INTERNA, "Nota interna (só a equipe vê)"),
        ],
        initial=INTERNA,
        widget=forms.RadioSelect,
    )
    texto = campo_de_texto("Texto")
    arquivos = CampoDeAnexos()


class RemoverAnexoForm(forms.Form):
    """A legal order's removal of a file (protocolo/remocao.py): which order, and what it says."""

    referencia = forms.CharField(
        label="Número da ordem judicial (processo ou ofício)",
        max_length=200,
        strip=True,
        validators=[validar_linha],
        error_messages={"required": "Informe o número da ordem judicial."},
    )
    motivo = campo_de_texto("Motivo (o que a ordem determina)")


class RespostaProntaForm(forms.Form):
    """The canned answer to start the interaction from (a GET on the protocol's page): its text,
    filled for the protocol, becomes the interaction's, to be edited before sending."""

    resposta = forms.TypedChoiceField(label="Resposta pronta", coerce=int, empty_value=None)

    def __init__(self, *args, respostas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.respostas = {r.pk: r for r in respostas}
        self.fields["resposta"].choices = [("", "escolha uma resposta")] + [
            (r.pk, f"{r.titulo} ({r.categoria.nome if r.categoria_id else 'todas as categorias'})") for r in respostas
        ]


class SituacaoForm(ComVersao):
    situacao = forms.ChoiceField(label="Nova situação")
    texto = campo_de_texto("Observação (pública, opcional)", obrigatorio=False, linhas=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        possiveis = self.protocolo.situacoes_possiveis("mudar") if self.protocolo else []
        self.fields["situacao"].choices = [(s.value, s.label) for s in possiveis]


class AssumirForm(ComVersao):
    pass


class AtribuirForm(ComVersao, acoes.AtribuirForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.protocolo is not None and self.protocolo.responsavel_id and not self.is_bound:
            self.initial["responsavel"] = str(self.protocolo.responsavel_id)


class MotivoForm(ComVersao, acoes.MotivoForm):
    pass


class ResolverForm(ComVersao, acoes.ResolverForm):
    pass


class DuplicadoForm(ComVersao):
    numero = forms.CharField(
        label="Número do protocolo original",
        max_length=64,
        help_text="O protocolo que já carrega esta demanda; com ou sem espaços.",
    )

    def clean_numero(self):
        return normalizar_numero(self.cleaned_data["numero"])


class ProrrogarForm(ComVersao, acoes.ProrrogarForm):
    pass


class BuscaConsumidorForm(forms.Form):
    q = forms.CharField(
        label="CPF ou nome",
        help_text="Também telefone, e-mail ou palavras das demandas; acentos não importam.",
        min_length=BUSCA_MINIMA,
        max_length=200,
        validators=[validar_linha],
    )
