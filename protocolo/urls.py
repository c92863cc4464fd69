from django.contrib import admin
from django.urls import include, path

from protocolo.admin.supervisao import supervisao
from protocolo.operacao.saude import saude

urlpatterns = [
    # The load balancer's health check (protocolo/operacao/saude.py).
    path("saude/", saude, name="saude"),
    # Inside the admin (its login, its layout), before the admin's catch-all.
    path("admin/supervisao/", admin.site.admin_view(supervisao), name="supervisao"),
    path("admin/", admin.site.urls),
    path("atendimento/", include("atendimento.urls")),
    # The integration API (protocolo/api/, docs/integracao.md).
    path("api/v1/", include("protocolo.api.urls")),
    # Inbound SMS and WhatsApp and the providers' delivery receipts (protocolo/entrada/).
    path("integracoes/", include("protocolo.entrada.urls")),
    path("", include("consumidor.urls")),
]

# A database outage answers 503 with Retry-After instead of the 500 page (protocolo/operacao/falhas.py).
handler400 = "protocolo.operacao.falhas.pedido_invalido"
handler500 = "protocolo.operacao.falhas.erro_no_servidor"
