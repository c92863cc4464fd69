from django.urls import path

from . import curto, entrar, evidencias, views

app_name = "consumidor"

urlpatterns = [
    path("", views.inicio, name="inicio"),
    path("consultar/", views.consultar, name="consultar"),
    path("abrir/", views.abrir, name="abrir"),
    path("recuperar/", views.recuperar, name="recuperar"),
    path("privacidade/", views.privacidade, name="privacidade"),
    path("entrar/<str:provedor>/", entrar.entrar, name="entrar"),
    path("entrar/<str:provedor>/retorno/", entrar.retorno, name="entrar_retorno"),
    path("sair/", entrar.sair, name="sair"),
    path("confirmar/<str:token>/", views.confirmar_contato, name="confirmar"),
    path("acesso/<str:token>/", views.acesso_por_link, name="acesso"),
    path("acesso/demandas/<str:token>/", views.acesso_as_demandas, name="acesso_demandas"),
    path("l/<str:codigo>/", curto.abrir, name="link_curto"),
    path("demandas/", views.demandas, name="demandas"),
    path("demandas.json", views.demandas_json, name="demandas_json"),
    path("protocolo/<str:numero>/", views.protocolo, name="protocolo"),
    path("protocolo/<str:numero>/mensagem/", views.enviar_mensagem, name="mensagem"),
    path("protocolo/<str:numero>/supervisao/", views.pedir_supervisao, name="pedir_supervisao"),
    path("protocolo/<str:numero>/resposta/", views.responder_resolucao, name="resposta"),
    path("protocolo/<str:numero>/telefone/confirmar/", views.confirmar_telefone, name="confirmar_telefone"),
    path("protocolo/<str:numero>/telefone/novo-codigo/", views.novo_codigo, name="novo_codigo"),
    path("protocolo/<str:numero>/canais/preferencia/", views.preferir_canal, name="preferir_canal"),
    path("protocolo/<str:numero>/canais/telefone/", views.canal_do_telefone, name="canal_do_telefone"),
    path("protocolo/<str:numero>/comprovante/", views.comprovante, name="comprovante"),
    path("protocolo/<str:numero>/comprovante.pdf", evidencias.comprovante_pdf, name="comprovante_pdf"),
    path("protocolo/<str:numero>/dossie.pdf", evidencias.dossie_pdf, name="dossie_pdf"),
    path("protocolo/<str:numero>/historico/", views.historico, name="historico"),
    path("protocolo/<str:numero>/anexos/<int:ordem>/<int:posicao>/", views.anexo, name="anexo"),
    path("protocolo/<str:numero>/historico.json", views.historico_json, name="historico_json"),
    path("indicadores/", views.indicadores, name="indicadores"),
    path("verificar/", evidencias.verificar_inicio, name="verificar_inicio"),
    path("verificar/certificado/", evidencias.certificado, name="certificado"),
    path("verificar/certificado.pem", evidencias.certificado_pem, name="certificado_pem"),
    path("verificar/certificado/icp-brasil.pem", evidencias.certificado_icp_pem, name="certificado_icp_pem"),
    path("verificar/<str:codigo>/", views.verificar, name="verificar"),
]
