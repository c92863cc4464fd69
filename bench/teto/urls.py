from django.urls import path

from . import views

urlpatterns = [
    path("", views.inicio, name="inicio"),
    path("consultar/", views.consultar, name="consultar"),
    path("protocolo/<str:numero>/", views.pagina, name="pagina"),
    path("abrir/", views.abrir, name="abrir"),
    path("comprovante/<str:numero>/", views.comprovante, name="comprovante"),
]
