"""The providers' endpoints (docs/operacao.md, "Mensagens recebidas"), one per line."""

from django.urls import path

from . import views

app_name = "entrada"

urlpatterns = [
    path("whatsapp/meta/", views.whatsapp_meta, name="whatsapp_meta"),
    path("sms/twilio/", views.sms_twilio, name="sms_twilio"),
    path("sms/twilio/estado/", views.sms_twilio_estado, name="sms_twilio_estado"),
    path("sms/gateway/", views.sms_gateway, name="sms_gateway"),
    path("sms/gateway/estado/", views.sms_gateway_estado, name="sms_gateway_estado"),
]
