from django.contrib import admin
from django.urls import include, path

from protocolo.admin import supervisao

urlpatterns = [
    # Inside the admin (its login, its layout), before the admin's catch-all.
    path("admin/supervisao/", admin.site.admin_view(supervisao), name="supervisao"),
    path("admin/", admin.site.urls),
    path("atendimento/", include("atendimento.urls")),
    path("", include("consumidor.urls")),
]
