from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from .models import Registro


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
