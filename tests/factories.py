import factory
from django.apps import apps
from django.contrib.auth.models import Group, User

from protocolo import relogio, services
from protocolo.dados_iniciais import ATENDENTES, OUVIDORIA, SUPERVISORES, criar_grupos_e_categorias
from protocolo.models import Canal, Categoria, Consumidor, Contato
from protocolo.services.contatos import telefone_e164
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


class OuvidoriaFactory(UsuarioFactory):
    """Someone of the ouvidoria, who works the third nível (docs/dominio.md §5)."""

    username = factory.Sequence(lambda n: f"ouvidoria{n}")

    @factory.post_generation
    def grupo(self, create, extracted, **kwargs):
        dados_iniciais()
        self.groups.add(Group.objects.get(name=OUVIDORIA))


def vincular(consumidor, tipo, valor):
    """A contact bound to the consumer as an attendant's identity check leaves it (docs/seguranca.md)."""
    agora = relogio.agora()
    return Contato.objects.create(
        consumidor=consumidor,
        tipo=tipo,
        valor=valor.strip().lower() if tipo == Contato.Tipo.EMAIL else telefone_e164(valor) or valor,
        origem=Contato.Origem.ATENDIMENTO,
        verificacao="documento_presencial",
        confirmado_em=agora,
        vinculado_em=agora,
    )


class ConsumidorFactory(factory.django.DjangoModelFactory):
    """A consumer; `email` and `telefone` (blank for none) are contacts bound to them."""

    class Meta:
        model = Consumidor
        skip_postgeneration_save = True

    cpf = factory.Sequence(cpf_valido)
    nome = factory.Faker("name", locale="pt_BR")

    @factory.post_generation
    def email(self, create, extracted, **kwargs):
        valor = f"consumidor{self.pk}@exemplo.com.br" if extracted is None else extracted
        if create and valor:
            vincular(self, Contato.Tipo.EMAIL, valor)

    @factory.post_generation
    def telefone(self, create, extracted, **kwargs):
        valor = "11999990000" if extracted is None else extracted
        if create and valor:
            vincular(self, Contato.Tipo.TELEFONE, valor)


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


def email_de(consumidor):
    """The e-mail bound to the consumer (ConsumidorFactory binds one unless told email="")."""
    return consumidor.contatos.vinculados().get(tipo=Contato.Tipo.EMAIL).valor
