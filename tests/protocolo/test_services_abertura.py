"""Opening a protocol and identifying the consumer (docs/dominio.md §1, §3, §4)."""

import datetime

import pytest
from django.db import ProgrammingError, connection, transaction

from protocolo import numeracao, services
from protocolo.exceptions import DadosInvalidos, PermissaoNegada, RegistroImutavel
from protocolo.models import AcessoDadoPessoal, Canal, Categoria, Consumidor, Interacao, Protocolo
from tests.factories import AtendenteFactory, ConsumidorFactory, UsuarioFactory, abrir, categoria
from tests.protocolo.apoio import QUARTA

pytestmark = pytest.mark.usefixtures("na_quarta")


def _unica_entrada(protocolo):
    entradas = list(Interacao.objects.filter(protocolo=protocolo))
    assert len(entradas) == 1
    return entradas[0]


# Opening ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_number_exists_and_is_valid_as_soon_as_the_protocol_is_opened(atendente):
    protocolo = services.protocolo_abrir(canal=Canal.TELEFONE, atendente=atendente)

    guardado = Protocolo.objects.get(numero=protocolo.numero)
    assert guardado.pk == protocolo.pk
    assert numeracao.validar(protocolo.numero) == protocolo.numero
    assert numeracao.decompor(protocolo.numero) == (QUARTA.date(), 1)


@pytest.mark.django_db
def test_each_opening_takes_the_next_number_of_the_day(atendente):
    numeros = [services.protocolo_abrir(canal=Canal.CHAT, atendente=atendente).numero for _ in range(3)]

    assert [numeracao.decompor(numero) for numero in numeros] == [(QUARTA.date(), n) for n in (1, 2, 3)]


@pytest.mark.django_db
def test_a_rolled_back_opening_gives_its_number_back(atendente):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.protocolo_abrir(canal=Canal.TELEFONE, atendente=atendente)
        raise RuntimeError("falha depois de abrir")

    protocolo = services.protocolo_abrir(canal=Canal.TELEFONE, atendente=atendente)

    assert numeracao.decompor(protocolo.numero) == (QUARTA.date(), 1)


@pytest.mark.django_db
def test_an_opened_protocol_starts_open_at_level_one_with_its_attendant(atendente):
    consumidor = ConsumidorFactory()

    protocolo = services.protocolo_abrir(
        canal=Canal.WHATSAPP, atendente=atendente, consumidor=consumidor, objeto="  Internet caiu.  "
    )

    protocolo.refresh_from_db()
    assert (protocolo.situacao, protocolo.nivel, protocolo.versao) == ("aberto", 1, 1)
    assert (protocolo.canal, protocolo.responsavel, protocolo.consumidor) == ("whatsapp", atendente, consumidor)
    assert protocolo.objeto == "Internet caiu."
    assert protocolo.aberto_em == QUARTA


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("com_atendente", "canal", "origem"),
    [
        (True, Canal.TELEFONE, "atendente"),
        (True, Canal.PORTAL, "atendente"),
        (False, Canal.PORTAL, "consumidor"),
        (False, Canal.EMAIL, "sistema"),
    ],
)
def test_opening_writes_exactly_one_public_opening_entry(com_atendente, canal, origem):
    atendente = AtendenteFactory() if com_atendente else None
    consumidor = ConsumidorFactory(cpf="52998224725")

    protocolo = services.protocolo_abrir(
        canal=canal, atendente=atendente, consumidor=consumidor, categoria=categoria("reclamacao"), objeto="Fatura."
    )

    entrada = _unica_entrada(protocolo)
    assert (entrada.ordem, entrada.tipo, entrada.origem, entrada.autor) == (1, "abertura", origem, atendente)
    assert (entrada.publica, entrada.texto) == (True, "Fatura.")
    assert (entrada.situacao_anterior, entrada.situacao_nova) == ("", "aberto")
    assert (entrada.nivel_anterior, entrada.nivel_novo) == (None, 1)
    assert entrada.detalhes == {
        "canal": canal,
        "categoria": "reclamacao",
        "prazo": "2026-03-11",
        "cpf": "***.982.247-**",
    }


@pytest.mark.django_db
def test_an_opening_without_categoria_or_consumer_records_their_absence():
    protocolo = services.protocolo_abrir(canal=Canal.PRESENCIAL)

    entrada = _unica_entrada(protocolo)
    # No categoria still means a deadline: the 7 days from the opening (docs/dominio.md §4).
    assert entrada.detalhes == {"canal": "presencial", "categoria": None, "prazo": "2026-03-11", "cpf": None}
    assert entrada.texto == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("codigo", "prazo"),
    [
        ("reclamacao", datetime.date(2026, 3, 11)),  # 7 calendar days
        ("lgpd", datetime.date(2026, 3, 19)),  # 15 calendar days
        ("cancelamento", datetime.date(2026, 3, 4)),  # immediate: the same day
    ],
)
def test_opening_with_a_categoria_sets_its_prazo(atendente, codigo, prazo):
    protocolo = services.protocolo_abrir(canal=Canal.TELEFONE, atendente=atendente, categoria=categoria(codigo))

    protocolo.refresh_from_db()
    assert protocolo.prazo == prazo


@pytest.mark.django_db
def test_opening_without_a_categoria_gives_the_seven_days_from_the_opening(atendente):
    protocolo = services.protocolo_abrir(canal=Canal.TELEFONE, atendente=atendente)

    protocolo.refresh_from_db()
    assert (protocolo.categoria, protocolo.prazo) == (None, datetime.date(2026, 3, 11))


@pytest.mark.django_db
@pytest.mark.parametrize("canal", ["fax", "", None, "TELEFONE"])
def test_it_refuses_an_unknown_canal(atendente, canal):
    with pytest.raises(DadosInvalidos, match="Canal de atendimento inválido"):
        services.protocolo_abrir(canal=canal, atendente=atendente)

    assert not Protocolo.objects.exists()


@pytest.mark.django_db
def test_it_refuses_opening_with_an_inactive_categoria(atendente, categoria):
    Categoria.objects.filter(pk=categoria.pk).update(ativa=False)
    categoria.refresh_from_db()

    with pytest.raises(DadosInvalidos, match="não está mais em uso"):
        services.protocolo_abrir(canal=Canal.TELEFONE, atendente=atendente, categoria=categoria)

    assert not Protocolo.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_objeto_with_a_nul_byte(atendente):
    with pytest.raises(DadosInvalidos, match="caractere inválido"):
        services.protocolo_abrir(canal=Canal.TELEFONE, atendente=atendente, objeto="a\x00b")

    assert not Protocolo.objects.exists()


# Identifying the consumer -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("cpf", ["529.982.247-25", "52998224725", " 529 982 247 25 ", "529982247-25"])
def test_it_creates_a_consumer_with_the_cpf_normalised(cpf):
    consumidor, criado = services.consumidor_identificar(cpf=cpf, nome="Maria Silva")

    consumidor.refresh_from_db()
    assert criado is True
    assert (consumidor.cpf, consumidor.nome) == ("52998224725", "Maria Silva")
    assert not consumidor.contatos.exists()


@pytest.mark.django_db
def test_it_finds_an_existing_consumer_by_cpf_typed_any_way():
    existente = ConsumidorFactory(cpf="52998224725")

    consumidor, criado = services.consumidor_identificar(cpf="529.982.247-25")

    assert (consumidor.pk, criado) == (existente.pk, False)
    assert Consumidor.objects.count() == 1


@pytest.mark.django_db
def test_it_never_overwrites_an_existing_consumers_name():
    ConsumidorFactory(cpf="52998224725", nome="Maria Silva")

    consumidor, _ = services.consumidor_identificar(cpf="52998224725", nome="Intruso")

    consumidor.refresh_from_db()
    assert consumidor.nome == "Maria Silva"


@pytest.mark.django_db
def test_it_fills_only_an_empty_name_of_an_existing_consumer():
    ConsumidorFactory(cpf="52998224725", nome="")

    consumidor, _ = services.consumidor_identificar(cpf="52998224725", nome="Maria Silva")

    consumidor.refresh_from_db()
    assert consumidor.nome == "Maria Silva"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cpf", "mensagem"),
    [
        ("", "Informe o CPF"),
        ("529.982.247-26", "CPF inválido"),
        ("111.111.111-11", "CPF inválido"),
        ("5299822472", "11 dígitos"),
        ("529.982.247-2x", "apenas algarismos"),
    ],
)
def test_it_refuses_an_invalid_cpf(cpf, mensagem):
    with pytest.raises(DadosInvalidos, match=mensagem):
        services.consumidor_identificar(cpf=cpf, nome="Maria")

    assert not Consumidor.objects.exists()


@pytest.mark.parametrize("email", ["maria", "maria@", "maria@exemplo", "a b@exemplo.com", "m" * 250 + "@exemplo.com"])
def test_it_refuses_an_invalid_email(atendente, email):
    with pytest.raises(DadosInvalidos):
        services.protocolo_abrir_completo(canal=Canal.CHAT, atendente=atendente, cpf="52998224725", email=email)

    assert not Consumidor.objects.exists()


def test_revealing_a_cpf_is_recorded_with_who_and_where(atendente):
    consumidor = ConsumidorFactory(cpf="52998224725")
    protocolo = abrir(consumidor=consumidor)

    cpf = services.consumidor_revelar_cpf(consumidor=consumidor, usuario=atendente, protocolo=protocolo)

    assert cpf == "529.982.247-25"
    acesso = AcessoDadoPessoal.objects.get()
    assert (acesso.usuario, acesso.consumidor, acesso.protocolo, acesso.tipo) == (
        atendente,
        consumidor,
        protocolo,
        AcessoDadoPessoal.Tipo.VER_CPF,
    )


def test_someone_without_the_permission_cannot_reveal_a_cpf(db):
    with pytest.raises(PermissaoNegada):
        services.consumidor_revelar_cpf(consumidor=ConsumidorFactory(), usuario=UsuarioFactory())

    assert not AcessoDadoPessoal.objects.exists()


def test_the_access_record_cannot_be_rewritten_or_deleted(atendente):
    consumidor = ConsumidorFactory()
    services.consumidor_revelar_cpf(consumidor=consumidor, usuario=atendente)
    acesso = AcessoDadoPessoal.objects.get()

    with pytest.raises(RegistroImutavel):
        acesso.save()
    with pytest.raises(RegistroImutavel):
        AcessoDadoPessoal.objects.all().delete()
    with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM protocolo_acessodadopessoal")


@pytest.mark.django_db
def test_a_portal_opening_is_one_transaction_of_twelve_statements_and_a_sound_chain(settings):
    """The consumer inserted-or-kept and locked, the protocol, the contact typed, its two messages
    and the two entries, each chain head known without reading it back (issue 6 item 5)."""
    from django.test.utils import CaptureQueriesContext

    from protocolo import integridade

    settings.PROTOCOLO_ENTREGA_IMEDIATA = False
    ConsumidorFactory(cpf="52998224725", email="ana@exemplo.com.br")
    assunto = categoria("cobranca")

    with CaptureQueriesContext(connection) as consultas:
        protocolo = services.protocolo_abrir_pelo_portal(
            cpf="529.982.247-25", nome="Outro Nome", email="outro@exemplo.com.br", categoria=assunto, objeto="Cobrança."
        )

    comandos = [q["sql"].split()[0] for q in consultas]
    # Inside the test's transaction the service's atomic() is a savepoint, its only one.
    assert comandos.count("SAVEPOINT") == 1
    assert [c for c in comandos if c not in ("SAVEPOINT", "RELEASE")] == [
        "INSERT",  # the consumer, nothing when the CPF is on file (the same work either way)
        "SELECT",  # the consumer, FOR UPDATE
        "SELECT",  # the holidays, for the prazo
        "INSERT",  # the day's sequence (upsert)
        "INSERT",  # the protocol
        "INSERT",  # the opening entry
        "SELECT",  # the webhook subscriptions to protocolo.aberto (none here)
        "INSERT",  # the contact typed, of this protocol only
        "INSERT",  # the confirmation link to it
        "INSERT",  # the number, held until the address is confirmed
        "INSERT",  # the entry that records it
    ]
    entradas = list(protocolo.interacoes.order_by("ordem"))
    assert [e.tipo for e in entradas] == [Interacao.Tipo.ABERTURA, Interacao.Tipo.ENVIO_NUMERO]
    assert integridade.verificar_cadeia(protocolo.numero, entradas) is None
    # The consumer's bound e-mail is as it was; the one typed serves this protocol only.
    assert [c.valor for c in Consumidor.objects.get(cpf="52998224725").contatos.filter(tipo="email")] == [
        "ana@exemplo.com.br"
    ]
    assert [c.valor for c in protocolo.contatos.all()] == ["outro@exemplo.com.br"]
