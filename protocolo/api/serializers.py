"""What goes in and out of the API. Inputs only shape and bound the fields (lengths, choices,
types); every rule is the services' (protocolo.services), whose refusals come back as problem+json
(erros.py)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import anexos, integridade, selectors
from ..models import TRANSICOES, Canal, Categoria, Situacao
from ..services import TEXTO_MAXIMO, VERIFICACOES
from ..services.integracao import CANAIS_DA_API
from ..validators import normalizar_cpf, validar_linha, validar_texto

CPF_MAXIMO = 20
NOME_MAXIMO = 200
EMAIL_MAXIMO = 254
TELEFONE_MAXIMO = 20
CODIGO = re.compile(r"[-a-zA-Z0-9_]{1,40}")
SITUACOES_DA_API = sorted({para for (de, para), acao in TRANSICOES.items() if acao == "mudar"})


def _texto(obrigatorio=True, maximo=TEXTO_MAXIMO, **kwargs):
    """A multi-line text: line breaks and tabs are text, any other control character is refused, as
    in the back-office's forms (protocolo.validators). trim_whitespace off: the services strip."""
    return serializers.CharField(
        required=obrigatorio,
        allow_blank=not obrigatorio,
        max_length=maximo,
        trim_whitespace=False,
        validators=[validar_texto],
        **kwargs,
    )


def _linha(obrigatorio=False, maximo=NOME_MAXIMO, **kwargs):
    """A field of one line (a name, an e-mail, a CPF): no line break nor control character."""
    return serializers.CharField(
        required=obrigatorio, allow_blank=not obrigatorio, max_length=maximo, validators=[validar_linha], **kwargs
    )


class CategoriaPorCodigo(serializers.SlugRelatedField):
    """A categoria by its código; an inactive one is refused by the service, in its own words."""

    default_error_messages = {
        "does_not_exist": "Categoria “{value}” não existe.",
        "invalid": "Informe o código da categoria.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="codigo", queryset=Categoria.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not CODIGO.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class AberturaEntrada(serializers.Serializer):
    canal = serializers.ChoiceField(choices=[(c, Canal(c).label) for c in CANAIS_DA_API])
    cpf = _linha(maximo=CPF_MAXIMO, help_text="Só dígitos ou formatado; opcional.")
    nome = _linha(maximo=NOME_MAXIMO)
    email = _linha(maximo=EMAIL_MAXIMO, help_text="Recebe o link de confirmação.")
    telefone = _linha(maximo=TELEFONE_MAXIMO)
    categoria = CategoriaPorCodigo(required=False, allow_null=True)
    objeto = _texto(obrigatorio=False, help_text="A demanda nas palavras do consumidor.")


class Comprovante(serializers.Serializer):
    codigo = serializers.CharField()
    url_verificacao = serializers.URLField()


def comprovante(protocolo, cabeca=None):
    codigo = integridade.codigo_comprovante(protocolo, cabeca or selectors.cabeca_da_cadeia(protocolo))
    return {
        "codigo": codigo,
        "url_verificacao": settings.PROTOCOLO_URL_BASE + reverse("consumidor:verificar", args=[codigo]),
    }


class ProtocoloResumo(serializers.Serializer):
    """The state every answer about a protocol carries: enough for the next action (`versao`)."""

    numero = serializers.CharField(help_text="Só os dígitos.")
    numero_formatado = serializers.CharField(help_text="Como o consumidor lê e anota.")
    canal = serializers.CharField()
    situacao = serializers.CharField()
    situacao_descricao = serializers.CharField(source="get_situacao_display")
    nivel = serializers.IntegerField()
    nivel_descricao = serializers.CharField(source="get_nivel_display")
    categoria = serializers.CharField(source="categoria.codigo", allow_null=True, help_text="O código da categoria.")
    prazo = serializers.DateField(allow_null=True, help_text="Último dia para responder, até 23h59.")
    prazo_situacao = serializers.CharField(source="situacao_do_prazo", allow_null=True)
    aberto_em = serializers.DateTimeField()
    resolvido_em = serializers.DateTimeField(allow_null=True)
    encerrado_em = serializers.DateTimeField(allow_null=True)
    versao = serializers.IntegerField(help_text="Envie nas ações: se o protocolo mudou, a resposta é 409.")


class Abertura(ProtocoloResumo):
    comprovante = serializers.SerializerMethodField()

    def get_comprovante(self, protocolo) -> Comprovante:
        # A caller that has already read the chain head passes it, and the answer costs no query more.
        return comprovante(protocolo, self.context.get("cabeca"))


class Arquivo(serializers.Serializer):
    """A file of an entry, from its sealed record (docs/anexos.md)."""

    posicao = serializers.IntegerField()
    nome = serializers.CharField()
    tamanho = serializers.CharField(help_text="O tamanho, legível (p. ex. 2,1 MB).")
    sha256 = serializers.CharField(help_text="O SHA-256 dos bytes guardados, selado na cadeia.")
    removido = serializers.CharField(allow_blank=True, help_text="Por que o arquivo não está mais guardado.")
    url = serializers.CharField(allow_null=True, help_text="Onde baixá-lo por esta API; null se removido.")


class Entrada(serializers.Serializer):
    ordem = serializers.IntegerField()
    tipo = serializers.CharField()
    tipo_descricao = serializers.CharField(source="get_tipo_display")
    origem = serializers.CharField()
    publica = serializers.BooleanField()
    texto = serializers.CharField()
    criada_em = serializers.DateTimeField()
    situacao_nova = serializers.CharField(allow_blank=True)
    nivel_novo = serializers.IntegerField(allow_null=True)
    anexos = serializers.SerializerMethodField()

    @extend_schema_field(Arquivo(many=True))
    def get_anexos(self, interacao):
        numero = self.context.get("numero") or interacao.protocolo.numero
        itens = []
        for item in anexos.descrever(interacao):
            url = None
            if not item["removido"]:
                url = reverse(
                    "api:anexo", kwargs={"numero": numero, "ordem": interacao.ordem, "posicao": item["posicao"]}
                )
            itens.append(
                {key: item[key] for key in ("posicao", "nome", "tamanho", "sha256", "removido")} | {"url": url}
            )
        return itens


class ConsumidorResumo(serializers.Serializer):
    nome = serializers.CharField()
    cpf_mascarado = serializers.CharField()


class ProtocoloDetalhe(Abertura):
    objeto = serializers.CharField()
    consumidor = ConsumidorResumo(allow_null=True)
    linha_do_tempo = Entrada(many=True)


class InteracaoEntrada(serializers.Serializer):
    texto = _texto()
    publica = serializers.BooleanField(
        default=True, help_text="true: resposta ao consumidor (enviada a ele); false: nota interna da equipe."
    )


class AnexosEntrada(serializers.Serializer):
    arquivos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        help_text="Os arquivos (multipart/form-data, um campo `arquivos` por arquivo): PDF, JPEG, PNG, WebP, HEIC "
        "ou texto UTF-8, com os limites de docs/anexos.md.",
    )
    texto = _texto(obrigatorio=False, default="")
    publica = serializers.BooleanField(
        default=False, help_text="true: junto de uma resposta ao consumidor; false: numa nota interna da equipe."
    )


class ComVersao(serializers.Serializer):
    versao = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="A versão lida do protocolo.")


class IdentificarEntrada(ComVersao):
    cpf = _linha(obrigatorio=True, maximo=CPF_MAXIMO)
    nome = _linha(maximo=NOME_MAXIMO)
    email = _linha(maximo=EMAIL_MAXIMO)
    telefone = _linha(maximo=TELEFONE_MAXIMO)
    verificacao = serializers.ChoiceField(
        choices=list(VERIFICACOES.items()),
        required=False,
        allow_blank=True,
        help_text="A verificação de identidade feita pelo sistema: com ela (e o escopo contatos:vincular) o "
        "e-mail e o telefone são vinculados ao consumidor; sem ela, servem só a este protocolo.",
    )


class CategoriaEntrada(ComVersao):
    categoria = CategoriaPorCodigo()


class DemandaEntrada(serializers.Serializer):
    objeto = _texto()


class SituacaoEntrada(ComVersao):
    situacao = serializers.ChoiceField(choices=[(s, Situacao(s).label) for s in SITUACOES_DA_API])
    texto = _texto(obrigatorio=False)


class MotivoEntrada(ComVersao):
    motivo = _texto()


class ResolucaoEntrada(ComVersao):
    texto = _texto()


class CpfEntrada(serializers.Serializer):
    cpf = _linha(obrigatorio=True, maximo=CPF_MAXIMO, help_text="Só dígitos ou formatado.")

    def validate_cpf(self, valor):
        try:
            return normalizar_cpf(valor)
        except DjangoValidationError as erro:
            raise serializers.ValidationError(erro.messages) from None


class ProtocoloDoConsumidor(serializers.Serializer):
    numero = serializers.CharField()
    numero_formatado = serializers.CharField()
    situacao = serializers.CharField()
    situacao_descricao = serializers.CharField(source="get_situacao_display")
    nivel = serializers.IntegerField()
    categoria = serializers.CharField(source="categoria.codigo", allow_null=True, help_text="O código da categoria.")
    prazo = serializers.DateField(allow_null=True)
    aberto_em = serializers.DateTimeField()


class ProtocolosDoConsumidorPagina(serializers.Serializer):
    em_aberto = serializers.IntegerField(help_text="Quantos protocolos do CPF estão em aberto.")
    proximo = serializers.URLField(allow_null=True, help_text="A próxima página (o CPF vai de novo no corpo).")
    anterior = serializers.URLField(allow_null=True)
    resultados = ProtocoloDoConsumidor(many=True)
