"""
The providers' endpoints under /integracoes/ (docs/operacao.md, "Mensagens recebidas"). Machines
call them: no session, no CSRF token, no login. The provider's signature is the only way in and is
checked first; without a valid one every caller gets the same 403 and nothing is read or written.
A body too large is refused by its Content-Length before it is read; a signed body that is not the
provider's format is a 400; an id we never sent is answered 200, so the provider stops retrying.
"""

import logging

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ..exceptions import DadosInvalidos
from ..models import Mensagem
from . import gateway, meta, processar, twilio

logger = logging.getLogger(__name__)

# Meta batches notifications; a text message holds at most 4,096 characters. Nothing a provider
# sends comes near this.
CORPO_MAXIMO = 256 * 1024


def _texto(mensagem, status):
    return HttpResponse(mensagem, status=status, content_type="text/plain; charset=utf-8")


def _proibido():
    return _texto("Assinatura ausente ou inválida.", 403)


def _invalido(erro):
    return _texto(f"Corpo inválido: {erro}.", 400)


def _grande_demais(request):
    try:
        tamanho = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return tamanho > CORPO_MAXIMO or tamanho < 0


def _corpo_assinado(request, conferir):
    """(raw body, None) when its signature holds, else (None, the response to give)."""
    if _grande_demais(request):
        return None, _texto("Corpo grande demais.", 413)
    corpo = request.body
    if not conferir(corpo):
        return None, _proibido()
    return corpo, None


# Meta (WhatsApp Cloud API) --------------------------------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def whatsapp_meta(request):
    if request.method == "GET":
        desafio = meta.verificar_inscricao(request.GET)
        if desafio is None:
            return _texto("Verificação recusada.", 403)
        return _texto(desafio, 200)
    corpo, recusa = _corpo_assinado(request, lambda c: meta.assinatura_valida(c, request.headers.get(meta.CABECALHO)))
    if recusa is not None:
        return recusa
    try:
        recebidas, estados = meta.ler(corpo)
        for recebida in recebidas:
            processar.conferir(recebida.id, recebida.de)
        for recebida in recebidas:
            processar.receber(
                canal=Mensagem.Canal.WHATSAPP,
                provedor=meta.PROVEDOR,
                id_no_provedor=recebida.id,
                telefone=recebida.de,
                texto=recebida.texto,
                so_texto=recebida.so_texto,
            )
        for estado in estados:
            processar.registrar_estado(
                canal=Mensagem.Canal.WHATSAPP, id_no_provedor=estado.id, estado=estado.estado, motivo=estado.motivo
            )
    except (processar.CorpoInvalido, DadosInvalidos) as erro:
        return _invalido(erro)
    return _texto("", 200)


# Twilio ---------------------------------------------------------------------------------------------


def _formulario_assinado(request):
    """None when the form is Twilio's and signed for our URL, else the response to give."""
    if _grande_demais(request):
        return _texto("Corpo grande demais.", 413)
    if request.content_type != "application/x-www-form-urlencoded":
        return _proibido()
    if not twilio.assinatura_valida(request):
        return _proibido()
    return None


def _campo(dados, *nomes):
    for nome in nomes:
        if valor := dados.get(nome, ""):
            return valor
    raise processar.CorpoInvalido(f"o campo {nomes[0]} falta")


@csrf_exempt
@never_cache
@require_POST
def sms_twilio(request):
    if (recusa := _formulario_assinado(request)) is not None:
        return recusa
    dados = request.POST
    try:
        midias = dados.get("NumMedia", "0")
        texto = dados.get("Body", "")
        processar.receber(
            canal=Mensagem.Canal.SMS,
            provedor=twilio.PROVEDOR,
            id_no_provedor=_campo(dados, "MessageSid", "SmsSid"),
            telefone=_campo(dados, "From"),
            texto=texto,
            so_texto=bool(texto.strip()) or midias in ("", "0"),
        )
    except (processar.CorpoInvalido, DadosInvalidos) as erro:
        return _invalido(erro)
    return HttpResponse(twilio.TWIML_VAZIO, content_type="text/xml; charset=utf-8")


@csrf_exempt
@never_cache
@require_POST
def sms_twilio_estado(request):
    if (recusa := _formulario_assinado(request)) is not None:
        return recusa
    dados = request.POST
    try:
        identificador = _campo(dados, "MessageSid", "SmsSid")
        status = _campo(dados, "MessageStatus", "SmsStatus")
    except processar.CorpoInvalido as erro:
        return _invalido(erro)
    if status in twilio.ESTADOS:
        processar.registrar_estado(
            canal=Mensagem.Canal.SMS,
            id_no_provedor=identificador,
            estado=twilio.ESTADOS[status],
            motivo=twilio.motivo(dados),
        )
    return _texto("", 200)


# The SMS gateway ------------------------------------------------------------------------------------


def _gateway_assinado(request):
    return _corpo_assinado(request, lambda c: gateway.assinatura_valida(c, request.headers.get(gateway.CABECALHO)))


@csrf_exempt
@never_cache
@require_POST
def sms_gateway(request):
    corpo, recusa = _gateway_assinado(request)
    if recusa is not None:
        return recusa
    try:
        dados = gateway.ler_recebida(corpo)
        processar.receber(
            canal=Mensagem.Canal.SMS,
            provedor=gateway.PROVEDOR,
            id_no_provedor=dados["id"],
            telefone=dados["de"],
            texto=dados["texto"],
        )
    except (processar.CorpoInvalido, DadosInvalidos) as erro:
        return JsonResponse({"erro": f"Corpo inválido: {erro}."}, status=400)
    return JsonResponse({"ok": True})


@csrf_exempt
@never_cache
@require_POST
def sms_gateway_estado(request):
    corpo, recusa = _gateway_assinado(request)
    if recusa is not None:
        return recusa
    try:
        dados = gateway.ler_estado(corpo)
    except processar.CorpoInvalido as erro:
        return JsonResponse({"erro": f"Corpo inválido: {erro}."}, status=400)
    processar.registrar_estado(canal=Mensagem.Canal.SMS, id_no_provedor=dados["id"], estado=dados["estado"])
    return JsonResponse({"ok": True})
