from django.db import models


class Registro(models.Model):
    numero = models.CharField(max_length=32, unique=True)
    cpf = models.CharField(max_length=11)

    def __str__(self):
        return self.numero


class Abertura(models.Model):
    """The opening ceiling's protocol row: the number and what the consumer typed."""

    numero = models.CharField(max_length=32, unique=True)
    cpf = models.CharField(max_length=11)
    objeto = models.TextField()
    aberta_em = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.numero


class Entrada(models.Model):
    """The first timeline entry, chained by its HMAC."""

    abertura = models.ForeignKey(Abertura, on_delete=models.PROTECT)
    ordem = models.PositiveIntegerField()
    texto = models.TextField()
    mac = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["abertura", "ordem"], name="teto_entrada_ordem_unica")]

    def __str__(self):
        return f"{self.abertura_id} #{self.ordem}"


class Saida(models.Model):
    """The one outbox row an opening writes."""

    abertura = models.ForeignKey(Abertura, on_delete=models.PROTECT)
    destinatario = models.CharField(max_length=254)
    corpo = models.TextField()
    message_id = models.CharField(max_length=200, unique=True)

    def __str__(self):
        return self.message_id
