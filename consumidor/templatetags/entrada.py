"""The sign-in box of the portal's pages (consumidor/entrar.py): nothing at all, and no session read,
where no identity provider is configured."""

from django import template

from consumidor import entrar

register = template.Library()


@register.inclusion_tag("consumidor/_entrar.html", takes_context=True)
def entrada(context):
    provedores = entrar.provedores()
    if not provedores:
        return {"provedores": None}
    request = context["request"]
    return {
        "provedores": [(nome, config["titulo"]) for nome, config in provedores.items()],
        "identidade": entrar.identidade(request),
        "comprovada": entrar.identidade_comprovada(request) is not None,
    }
