"""/api/v1/: every route written out, one per line (docs/integracao.md)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .documentacao import Swagger

app_name = "api"

urlpatterns = [
    path("protocolos/", views.Protocolos.as_view(), name="protocolos"),
    path("protocolos/<str:numero>/", views.ProtocoloDetalhe.as_view(), name="protocolo"),
    path("protocolos/<str:numero>/interacoes/", views.Interacoes.as_view(), name="interacoes"),
    path("protocolos/<str:numero>/anexos/", views.Anexos.as_view(), name="anexos"),
    path("protocolos/<str:numero>/anexos/<int:ordem>/<int:posicao>/", views.Anexo.as_view(), name="anexo"),
    path("protocolos/<str:numero>/identificar/", views.Identificar.as_view(), name="identificar"),
    path("protocolos/<str:numero>/categoria/", views.DefinirCategoria.as_view(), name="categoria"),
    path("protocolos/<str:numero>/demanda/", views.RegistrarDemanda.as_view(), name="demanda"),
    path("protocolos/<str:numero>/situacao/", views.MudarSituacao.as_view(), name="situacao"),
    path("protocolos/<str:numero>/escalar/", views.Escalar.as_view(), name="escalar"),
    path("protocolos/<str:numero>/resolver/", views.Resolver.as_view(), name="resolver"),
    path("protocolos/<str:numero>/reabrir/", views.Reabrir.as_view(), name="reabrir"),
    path("consumidores/protocolos/", views.ProtocolosDoConsumidor.as_view(), name="consumidor_protocolos"),
    # The OpenAPI 3 schema and Swagger UI: public, they describe the API and hold no data.
    path("esquema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="esquema"),
    path("documentacao/", Swagger.as_view(), name="documentacao"),
    re_path(r"^.*$", views.RotaInexistente.as_view(), name="inexistente"),
]
