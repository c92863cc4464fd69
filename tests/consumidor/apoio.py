from django.urls import reverse

CPF = "52998224725"
CPF_FORMATADO = "529.982.247-25"
CPF_MASCARADO = "***.982.247-**"
OUTRO_CPF = "11144477735"


def consultar(client, numero, cpf, **extra):
    return client.post(reverse("consumidor:consultar"), {"numero": numero, "cpf": cpf}, **extra)


def pagina(protocolo, nome="consumidor:protocolo"):
    return reverse(nome, args=[protocolo.numero])
