import datetime
import hashlib
import hmac
import re
import zoneinfo

from django.conf import settings
from django.core.mail import make_msgid
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from sequences import get_next_value

from .models import Abertura, Entrada, Registro, Saida

CATEGORIAS = range(1, 6)
FUSO = zoneinfo.ZoneInfo("America/Sao_Paulo")


@require_safe
def inicio(request):
    return render(request, "teto/inicio.html")


@require_POST
def consultar(request):
    registro = (
        Registro.objects.filter(numero=request.POST.get("numero", ""), cpf=request.POST.get("cpf", ""))
        .only("pk", "numero")
        .first()
    )
    if registro is None:
        return render(request, "teto/inicio.html", status=404)
    # The page must know this browser proved the pair: the least a real lookup keeps.
    request.session["registro"] = registro.pk
    return redirect("pagina", numero=registro.numero)


@require_safe
def pagina(request, numero):
    registro = Registro.objects.filter(pk=request.session.get("registro"), numero=numero).first()
    if registro is None:
        return render(request, "teto/inicio.html", status=404)
    return render(request, "teto/pagina.html", {"registro": registro})


@require_http_methods(["GET", "HEAD", "POST"])
def abrir(request):
    """The least an opening must do (docs/desempenho.md): the day's gapless number from
    django-sequences, the protocol row, the first timeline entry with its HMAC and one outbox row,
    in one transaction, then the redirect to the receipt."""
    cpf, objeto = request.POST.get("cpf", ""), request.POST.get("objeto", "").strip()
    if request.method != "POST" or not re.fullmatch(r"[0-9]{11}", cpf) or not objeto:
        return render(
            request, "teto/abrir.html", {"categorias": CATEGORIAS}, status=200 if request.method != "POST" else 400
        )
    dia = datetime.datetime.now(FUSO).date()
    with transaction.atomic():
        numero = f"{dia:%Y%m%d}{get_next_value(f'teto-{dia:%Y%m%d}'):06d}"
        abertura = Abertura.objects.create(numero=numero, cpf=cpf, objeto=objeto)
        texto = f"Protocolo {numero} aberto pelo portal."
        mac = hmac.new(settings.SECRET_KEY.encode(), f"{numero}|1|{texto}".encode(), hashlib.sha256).hexdigest()
        Entrada.objects.create(abertura=abertura, ordem=1, texto=texto, mac=mac)
        Saida.objects.create(
            abertura=abertura,
            destinatario=request.POST.get("email", ""),
            corpo=f"O número do seu atendimento é {numero}.",
            message_id=make_msgid(domain="localhost"),
        )
    return redirect("comprovante", numero=numero)


@require_safe
def comprovante(request, numero):
    return render(request, "teto/comprovante.html", {"abertura": get_object_or_404(Abertura, numero=numero)})
