"""
The routes of /api/v1/ (urls.py). Each view names its scope (`escopo`, permissoes.ComEscopo),
reads its input through a serializer, calls one service and answers with the protocol's state.
Every answer that carries a consumer's personal data (the protocol's page with the consumer and
the timeline, a CPF's protocols) writes a row of the access log, as "mostrar CPF" does.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import anexos, selectors, services
from ..exceptions import DadosInvalidos
from ..models import EscopoSistema, Situacao
from ..services.integracao import impressao_do_pedido
from . import serializers as s
from .analise import Json
from .paginacao import Cursor
from .permissoes import sistema_de

Escopo = EscopoSistema
# Who may read the team's internal entries (notes, an attendant's reason to escalate): a system
# that works the protocols as the team does (docs/integracao.md).
ESCOPO_DAS_ENTRADAS_INTERNAS = Escopo.AGIR

PROBLEMA = OpenApiResponse(description="application/problem+json (RFC 9457), em português.")
ERROS = dict.fromkeys((400, 401, 403, 404, 409, 422, 429), PROBLEMA)
NUMERO = OpenApiParameter("numero", str, OpenApiParameter.PATH, description="O número, com ou sem separadores.")
IDEMPOTENCIA = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Uma chave por abertura (até 255 caracteres): repetida, devolve o mesmo protocolo.",
)


def _protocolo(numero, **kwargs):
    protocolo = selectors.protocolo_por_numero(numero, **kwargs)
    if protocolo is None:
        raise NotFound("Protocolo não encontrado.")
    return protocolo


def _resumo(protocolo, codigo=status.HTTP_200_OK):
    return Response(s.ProtocoloResumo(protocolo).data, status=codigo)


def _dados(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class Protocolos(APIView):
    escopo = Escopo.ABRIR

    @extend_schema(
        operation_id="protocolo_abrir",
        summary="Abrir um protocolo",
        parameters=[IDEMPOTENCIA],
        request=s.AberturaEntrada,
        responses={
            201: s.Abertura,
            200: OpenApiResponse(s.Abertura, description="Repetição com a mesma chave."),
            **ERROS,
        },
    )
    def post(self, request):
        dados = _dados(s.AberturaEntrada, request)
        chave = request.headers.get("Idempotency-Key", "")
        impressao = impressao_do_pedido(
            {**dados, "categoria": dados["categoria"].codigo if dados.get("categoria") else None}
        )
        protocolo, aberto_agora = services.protocolo_abrir_por_sistema(
            sistema=sistema_de(request),
            canal=dados["canal"],
            cpf=dados.get("cpf", ""),
            nome=dados.get("nome", ""),
            email=dados.get("email", ""),
            telefone=dados.get("telefone", ""),
            categoria=dados.get("categoria"),
            objeto=dados.get("objeto", ""),
            chave=chave,
            impressao=impressao,
        )
        resposta = Response(s.Abertura(protocolo).data, status=201 if aberto_agora else 200)
        resposta["Location"] = reverse("api:protocolo", kwargs={"numero": protocolo.numero})
        return resposta


class ProtocoloDetalhe(APIView):
    escopo = Escopo.LER

    @extend_schema(
        operation_id="protocolo_ler",
        summary="Situação, prazo e linha do tempo",
        parameters=[NUMERO],
        responses={200: s.ProtocoloDetalhe, **ERROS},
    )
    def get(self, request, numero):
        # Neither the answer nor the access log names the responsável: no join for it.
        protocolo = _protocolo(numero, relacionados=("consumidor", "categoria"))
        internas = sistema_de(request).pode(ESCOPO_DAS_ENTRADAS_INTERNAS)
        linha, cabeca = selectors.linha_do_tempo_e_cabeca(protocolo, publica=not internas)
        dados = {
            **s.Abertura(protocolo, context={"cabeca": cabeca}).data,
            "objeto": protocolo.objeto,
            "consumidor": s.ConsumidorResumo(protocolo.consumidor).data if protocolo.consumidor else None,
            "linha_do_tempo": s.Entrada(linha, many=True, context={"numero": protocolo.numero}).data,
        }
        services.consumidor_registrar_leitura(
            consumidor=protocolo.consumidor, sistema=sistema_de(request), protocolo=protocolo
        )
        return Response(dados)


class Interacoes(APIView):
    escopo = Escopo.INTERACOES

    @extend_schema(
        operation_id="protocolo_registrar_interacao",
        summary="Registrar uma resposta ao consumidor ou uma nota interna",
        parameters=[NUMERO],
        request=s.InteracaoEntrada,
        responses={201: s.Entrada, **ERROS},
    )
    def post(self, request, numero):
        protocolo = _protocolo(numero)
        dados = _dados(s.InteracaoEntrada, request)
        interacao = services.protocolo_registrar_interacao(
            protocolo=protocolo, texto=dados["texto"], autor=request.user, publica=dados["publica"]
        )
        return Response(s.Entrada(interacao).data, status=status.HTTP_201_CREATED)


class Anexos(APIView):
    """Files through the API: the same reading, limits and record as the back-office's form."""

    escopo = Escopo.INTERACOES
    parser_classes = [MultiPartParser, Json]

    @extend_schema(
        operation_id="protocolo_anexar",
        summary="Anexar arquivos numa nota interna ou numa resposta ao consumidor",
        parameters=[NUMERO],
        request={"multipart/form-data": s.AnexosEntrada},
        responses={201: s.Entrada, **ERROS},
    )
    def post(self, request, numero):
        protocolo = _protocolo(numero)
        request.data  # noqa: B018 - the body is parsed here, and the upload handler runs as it is
        # What the upload handler refused while reading the body (protocolo/anexos.py).
        if recusa := getattr(request._request, "anexos_recusados", ""):
            raise DadosInvalidos(recusa)
        dados = _dados(s.AnexosEntrada, request)
        interacao = services.protocolo_registrar_interacao(
            protocolo=protocolo,
            texto=dados["texto"],
            autor=request.user,
            publica=dados["publica"],
            anexos=dados["arquivos"],
        )
        return Response(s.Entrada(interacao).data, status=status.HTTP_201_CREATED)


class Anexo(APIView):
    """One file, streamed: a public entry's with protocolos:ler, an internal one's also with the
    scope that reads internal entries (the same 404 as none without it)."""

    escopo = Escopo.LER

    @extend_schema(
        operation_id="protocolo_baixar_anexo",
        summary="Baixar um arquivo anexado",
        parameters=[NUMERO],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="Os bytes do arquivo."), **ERROS},
    )
    def get(self, request, numero, ordem, posicao):
        protocolo = _protocolo(numero)
        internas = sistema_de(request).pode(ESCOPO_DAS_ENTRADAS_INTERNAS)
        arquivo = selectors.anexo_do_protocolo(protocolo, ordem, posicao, publica=not internas)
        resposta = anexos.resposta(arquivo) if arquivo is not None else None
        if resposta is None:
            raise NotFound("Anexo não encontrado.")
        services.consumidor_registrar_leitura(
            consumidor=protocolo.consumidor, sistema=sistema_de(request), protocolo=protocolo
        )
        return resposta


class Acao(APIView):
    """One action of the back-office on a protocol, through the same service."""

    escopo = Escopo.AGIR
    entrada = None

    def post(self, request, numero):
        protocolo = _protocolo(numero)
        dados = _dados(self.entrada, request)
        return _resumo(self.executar(request, protocolo, dados))


def _acao(nome, entrada, resumo, executar):
    classe = type(
        nome,
        (Acao,),
        {"entrada": entrada, "executar": staticmethod(executar), "__doc__": resumo},
    )

    def post(self, request, numero):
        return Acao.post(self, request, numero)

    classe.post = extend_schema(
        operation_id=f"protocolo_{nome.lower()}",
        summary=resumo,
        parameters=[NUMERO],
        request=entrada,
        responses={200: s.ProtocoloResumo, **ERROS},
    )(post)
    return classe


def _identificar(request, protocolo, dados):
    protocolo, _ = services.protocolo_identificar_por_sistema(
        protocolo=protocolo,
        sistema=sistema_de(request),
        cpf=dados["cpf"],
        nome=dados.get("nome", ""),
        email=dados.get("email", ""),
        telefone=dados.get("telefone", ""),
        verificacao=dados.get("verificacao", ""),
        versao=dados["versao"],
    )
    return protocolo


Identificar = _acao("Identificar", s.IdentificarEntrada, "Identificar o consumidor pelo CPF", _identificar)
DefinirCategoria = _acao(
    "Categoria",
    s.CategoriaEntrada,
    "Definir a categoria (e com ela o prazo)",
    lambda request, protocolo, dados: services.protocolo_definir_categoria(
        protocolo=protocolo, categoria=dados["categoria"], autor=request.user, versao=dados["versao"]
    ),
)
RegistrarDemanda = _acao(
    "Demanda",
    s.DemandaEntrada,
    "Registrar a demanda (o objeto)",
    lambda request, protocolo, dados: services.protocolo_registrar_objeto(
        protocolo=protocolo, objeto=dados["objeto"], autor=request.user
    ),
)
MudarSituacao = _acao(
    "Situacao",
    s.SituacaoEntrada,
    "Mudar a situação (em atendimento ⇄ aguardando o consumidor)",
    lambda request, protocolo, dados: services.protocolo_mudar_situacao(
        protocolo=protocolo,
        situacao=Situacao(dados["situacao"]),
        texto=dados.get("texto", ""),
        autor=request.user,
        versao=dados["versao"],
    ),
)
Escalar = _acao(
    "Escalar",
    s.MotivoEntrada,
    "Escalar ao próximo nível",
    lambda request, protocolo, dados: services.protocolo_escalar(
        protocolo=protocolo, motivo=dados["motivo"], autor=request.user, versao=dados["versao"]
    ),
)
Resolver = _acao(
    "Resolver",
    s.ResolucaoEntrada,
    "Resolver (a resposta vai ao consumidor)",
    lambda request, protocolo, dados: services.protocolo_resolver(
        protocolo=protocolo, texto=dados["texto"], autor=request.user, versao=dados["versao"]
    ),
)
Reabrir = _acao(
    "Reabrir",
    s.MotivoEntrada,
    "Reabrir um protocolo resolvido",
    lambda request, protocolo, dados: services.protocolo_reabrir(
        protocolo=protocolo, motivo=dados["motivo"], autor=request.user, versao=dados["versao"]
    ),
)


class ProtocolosDoConsumidor(APIView):
    """The open protocols of a CPF, newest first. The CPF goes in the body, never in the URL: a
    POST that only reads, so it may read from the replica (protocolo/leitura.py)."""

    escopo = Escopo.CONSUMIDORES
    protocolo_so_leitura = True

    @extend_schema(
        operation_id="consumidor_protocolos",
        summary="Protocolos em aberto de um CPF",
        request=s.CpfEntrada,
        parameters=[
            OpenApiParameter("cursor", str, OpenApiParameter.QUERY, required=False),
            OpenApiParameter("tamanho", int, OpenApiParameter.QUERY, required=False),
        ],
        responses={200: s.ProtocolosDoConsumidorPagina, **ERROS},
    )
    def post(self, request):
        protocolos = selectors.protocolos_em_aberto_do_cpf(_dados(s.CpfEntrada, request)["cpf"])
        paginador = Cursor()
        pagina = paginador.paginate_queryset(protocolos, request, view=self)
        if pagina:
            services.consumidor_registrar_leitura(consumidor=pagina[0].consumidor, sistema=sistema_de(request))
        return Response(
            {
                "em_aberto": protocolos.count(),
                "proximo": paginador.get_next_link(),
                "anterior": paginador.get_previous_link(),
                "resultados": s.ProtocoloDoConsumidor(pagina, many=True).data,
            }
        )


class RotaInexistente(APIView):
    """Any other path under /api/v1/: a 404 in problem+json, never the site's HTML page."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound("Esta rota não existe na API.")

    get = post = put = patch = delete = http_method_not_allowed
