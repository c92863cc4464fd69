from django.urls import path

from . import views

app_name = "consumidor"

urlpatterns = [
    path("", views.inicio, name="inicio"),
]
