"""What the back-office's pages share: a protocol by its number (404 otherwise), its page's
address, a permission beyond the back-office's own, the categories one may choose."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from protocolo import selectors
from protocolo.models import Categoria, Protocolo


def exigir(request, permissao):
    if not request.user.has_perm(f"protocolo.{permissao}"):
        raise PermissionDenied


def protocolo_ou_404(numero):
    """The protocol with its consumer, categoria, responsável and original; an impossible number is
    a 404 before any query."""
    protocolo = selectors.protocolo_por_numero(numero, queryset=Protocolo.objects.select_related("duplicado_de"))
    if protocolo is None:
        raise Http404("Protocolo não encontrado.")
    return protocolo


def url_do_protocolo(protocolo):
    return reverse("atendimento:protocolo", args=[protocolo.numero])


def categorias_ativas():
    return list(Categoria.objects.filter(ativa=True))
