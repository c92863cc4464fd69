"""Swagger UI from our own static files (drf-spectacular-sidecar), in the split view: the page
loads its start script from a URL instead of an inline one, and our own stylesheet replaces the
template's inline <style>, so the site's CSP (no 'unsafe-inline') holds (docs/pilha.md 25)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularSwaggerSplitView


class Swagger(SpectacularSwaggerSplitView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    url_name = "api:esquema"
    template_name = "api/swagger.html"
    title = "Protocolo · API de integração"


class EsquemaDoToken(OpenApiAuthenticationExtension):
    """The schema's security scheme for TokenDoSistema: a bearer token."""

    target_class = "protocolo.api.autenticacao.TokenDoSistema"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "O token do sistema, criado no admin."}
