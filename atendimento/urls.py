from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "atendimento"

urlpatterns = [
    path("", views.painel, name="painel"),
    path(
        "entrar/",
        auth_views.LoginView.as_view(template_name="atendimento/entrar.html", redirect_authenticated_user=True),
        name="entrar",
    ),
    path("sair/", auth_views.LogoutView.as_view(), name="sair"),
]
