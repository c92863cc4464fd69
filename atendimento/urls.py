from django.contrib.auth import views as auth_views
from django.urls import path

from protocolo.contas import views as contas

from .views import consumidores, painel, protocolo

app_name = "atendimento"

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
    path("protocolos/<str:numero>/identificar/", protocolo.identificar, name="identificar"),
    path("protocolos/<str:numero>/vincular/", protocolo.vincular, name="vincular"),
    path("protocolos/<str:numero>/preferencia/", protocolo.preferencia, name="preferencia"),
    path("protocolos/<str:numero>/canal-telefone/", protocolo.canal_telefone, name="canal_telefone"),
    path("protocolos/<str:numero>/categoria/", protocolo.categoria, name="categoria"),
    path("protocolos/<str:numero>/objeto/", protocolo.objeto, name="objeto"),
    path("protocolos/<str:numero>/interacao/", protocolo.interacao, name="interacao"),
    path("protocolos/<str:numero>/situacao/", protocolo.situacao, name="situacao"),
    path("protocolos/<str:numero>/assumir/", protocolo.assumir, name="assumir"),
    path("protocolos/<str:numero>/atribuir/", protocolo.atribuir, name="atribuir"),
    path("protocolos/<str:numero>/escalar/", protocolo.escalar, name="escalar"),
    path("protocolos/<str:numero>/resolver/", protocolo.resolver, name="resolver"),
    path("protocolos/<str:numero>/reabrir/", protocolo.reabrir, name="reabrir"),
    path("protocolos/<str:numero>/duplicado/", protocolo.duplicado, name="duplicado"),
    path("protocolos/<str:numero>/sem-demanda/", protocolo.sem_demanda, name="sem_demanda"),
    path("protocolos/<str:numero>/cancelar/", protocolo.cancelar, name="cancelar"),
    path("protocolos/<str:numero>/prorrogar/", protocolo.prorrogar, name="prorrogar"),
    path("protocolos/<str:numero>/enviar-numero/", protocolo.enviar_numero, name="enviar_numero"),
    path("protocolos/<str:numero>/mostrar-cpf/", protocolo.mostrar_cpf, name="mostrar_cpf"),
    path("protocolos/<str:numero>/dossie.pdf", protocolo.dossie_pdf, name="dossie_pdf"),
    path("protocolos/<str:numero>/anexos/<int:ordem>/<int:posicao>/", protocolo.anexo, name="anexo"),
    path(
        "protocolos/<str:numero>/anexos/<int:ordem>/<int:posicao>/remover/",
        protocolo.remover_anexo,
        name="remover_anexo",
    ),
    path("consumidores/", consumidores.consumidores, name="consumidores"),
]
