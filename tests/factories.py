import factory
from django.apps import apps
from django.contrib.auth.models import Group, User

from protocolo import services
from protocolo.dados_iniciais import ATENDENTES, SUPERVISORES, criar_grupos_e_categorias
from protocolo.models import Canal, Categoria, Consumidor
from protocolo.validators import completar_cpf


def dados_iniciais():
    """What the data migration made; transactional tests truncate it (docs/pilha.md 16)."""
    if not Group.objects.filter(name=SUPERVISORES).exists():
        criar_grupos_e_categorias(apps)


def categoria(codigo):
    dados_iniciais()
    return Categoria.objects.get(codigo=codigo)


def cpf_valido(n):
    """A valid CPF derived from n, never one of repeated digits."""
    base = f"{(n * 7919 + 123456789) % 10**9:09d}"
    if len(set(base)) == 1:
        base = "123456789"
    return completar_cpf(base)


class UsuarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"usuario{n}")
    first_name = factory.Faker("first_name", locale="pt_BR")
    last_name = factory.Faker("last_name", locale="pt_BR")
    password = factory.django.Password("senha-de-teste")


class AtendenteFactory(UsuarioFactory):
    username = factory.Sequence(lambda n: f"atendente{n}")

    @factory.post_generation
    def grupo(self, create, extracted, **kwargs):
        dados_iniciais()
        self.groups.add(Group.objects.get(name=ATENDENTES))


class SupervisorFactory(UsuarioFactory):
    username = factory.Sequence(lambda n: f"supervisor{n}")
    is_staff = True

    @factory.post_generation
    def grupo(self, create, extracted, **kwargs):
        dados_iniciais()
        self.groups.add(Group.objects.get(name=SUPERVISORES))


class ConsumidorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consumidor

    cpf = factory.Sequence(cpf_valido)
    nome = factory.Faker("name", locale="pt_BR")
    email = factory.Sequence(lambda n: f"consumidor{n}@exemplo.com.br")
    telefone = "11999990000"


def abrir(
    *,
    canal=Canal.TELEFONE,
    atendente=None,
    consumidor=None,
    categoria_codigo="reclamacao",
    objeto="Cobrança indevida na fatura.",
):
    """A protocol opened through the service, as the application does."""
    return services.protocolo_abrir(
        canal=canal,
        atendente=atendente,
        consumidor=consumidor,
        categoria=categoria(categoria_codigo) if categoria_codigo else None,
        objeto=objeto,
    )
