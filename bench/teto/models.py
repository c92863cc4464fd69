from django.db import models


class Registro(models.Model):
    numero = models.CharField(max_length=32, unique=True)
    cpf = models.CharField(max_length=11)

    def __str__(self):
        return self.numero
