from django.contrib.auth import views as auth_views
from django.urls import path

from protocolo.contas import views as contas

from .views import consumidores, painel, protocolo

app_name = "atendimento"

ACOES = [
    "identificar",
    "categoria",
    "objeto",
    "interacao",
    "situacao",
    "assumir",
    "atribuir",
    "escalar",
    "resolver",
    "reabrir",
    "duplicado",
    "cancelar",
    "prorrogar",
    "enviar_numero",
    "mostrar_cpf",
]

urlpatterns = [
    path("", painel.painel, name="painel"),
    path(
        "entrar/",
        auth_views.LoginView.as_view(template_name="atendimento/entrar.html", redirect_authenticated_user=True),
        name="entrar",
    ),
    path("sair/", auth_views.LogoutView.as_view(), name="sair"),
    path("senha/", contas.senha, name="senha"),
    path("senha/alterada/", contas.senha_alterada, name="senha_alterada"),
    path("senha/redefinir/", contas.senha_redefinir, name="senha_redefinir"),
    path("senha/redefinir/enviada/", contas.senha_redefinir_enviada, name="senha_redefinir_enviada"),
    path("senha/redefinir/concluida/", contas.senha_redefinir_concluida, name="senha_redefinir_concluida"),
    path("senha/redefinir/<uidb64>/<token>/", contas.senha_redefinir_nova, name="senha_redefinir_nova"),
    path("verificacao/", contas.verificacao, name="verificacao"),
    path("verificacao/ativar/", contas.verificacao_ativar, name="verificacao_ativar"),
    path("protocolos/iniciar/", painel.iniciar, name="iniciar"),
    path("protocolos/novo/", painel.novo, name="novo"),
    path("protocolos/<str:numero>/", protocolo.protocolo, name="protocolo"),
    *(
        path(f"protocolos/<str:numero>/{acao.replace('_', '-')}/", getattr(protocolo, acao), name=acao)
        for acao in ACOES
    ),
    path("consumidores/", consumidores.consumidores, name="consumidores"),
]
