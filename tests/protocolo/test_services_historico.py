"""Every service writes exactly one timeline entry, and exactly this one (each test asserts the
whole history row a transition writes: old, new, author), changes the protocol's fields, and bumps `versao` for
state changes only."""

import datetime

import pytest

from protocolo import services
from protocolo.exceptions import DadosInvalidos
from protocolo.models import Interacao, Protocolo
from tests.factories import AtendenteFactory, ConsumidorFactory, abrir, categoria
from tests.protocolo.apoio import QUARTA

CONSUMIDOR = services.Origem.CONSUMIDOR
SISTEMA = services.Origem.SISTEMA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("na_quarta")]


CAMPOS = (
    "tipo",
    "origem",
    "autor_id",
    "publica",
    "texto",
    "situacao_anterior",
    "situacao_nova",
    "nivel_anterior",
    "nivel_novo",
    "detalhes",
)


def registro(tipo, origem, autor=None, *, publica=False, texto="", de="", para="", nivel=(None, None), detalhes=None):
    """The whole content of one expected entry; what is not given must be blank."""
    return {
        "tipo": tipo,
        "origem": origem,
        "autor_id": autor.pk if autor else None,
        "publica": publica,
        "texto": texto,
        "situacao_anterior": de,
        "situacao_nova": para,
        "nivel_anterior": nivel[0],
        "nivel_novo": nivel[1],
        "detalhes": detalhes or {},
    }


class Linha:
    """Remembers a protocol's timeline length and version before a service runs."""

    def __init__(self, protocolo):
        self.pk = protocolo.pk
        self.entradas = Interacao.objects.filter(protocolo_id=self.pk).count()
        self.versao = Protocolo.objects.get(pk=self.pk).versao

    def nova_entrada(self):
        """The one entry added since, failing when there is none or more than one."""
        novas = list(Interacao.objects.filter(protocolo_id=self.pk, ordem__gt=self.entradas).values(*CAMPOS))
        assert len(novas) == 1, novas
        assert Interacao.objects.filter(protocolo_id=self.pk).count() == self.entradas + 1
        return novas[0]

    def atual(self):
        return Protocolo.objects.select_related("consumidor", "categoria", "responsavel").get(pk=self.pk)


def em_atendimento(atendente, **kwargs):
    protocolo = abrir(atendente=atendente, **kwargs)
    return services.protocolo_mudar_situacao(protocolo=protocolo, situacao="em_atendimento", autor=atendente)


def resolvido(atendente, **kwargs):
    protocolo = abrir(atendente=atendente, **kwargs)
    return services.protocolo_resolver(protocolo=protocolo, texto="Estorno feito.", autor=atendente)


# Consumer and subject -----------------------------------------------------------------------------


@pytest.mark.parametrize("ja_tinha", [False, True])
def test_identifying_the_consumer_records_both_masked_cpfs(atendente, ja_tinha):
    anterior = ConsumidorFactory(cpf="52998224725") if ja_tinha else None
    protocolo = abrir(atendente=atendente, consumidor=anterior)
    novo = ConsumidorFactory(cpf="11144477735")
    linha = Linha(protocolo)

    services.protocolo_identificar_consumidor(protocolo=protocolo, consumidor=novo, autor=atendente)

    assert linha.nova_entrada() == registro(
        "identificacao",
        "atendente",
        atendente,
        detalhes={"de": "***.982.247-**" if ja_tinha else None, "para": "***.444.777-**"},
    )
    atual = linha.atual()
    assert (atual.consumidor, atual.versao) == (novo, linha.versao + 1)


def test_setting_the_categoria_records_it_and_sets_the_prazo(atendente):
    protocolo = abrir(atendente=atendente, categoria_codigo=None)
    linha = Linha(protocolo)

    services.protocolo_definir_categoria(protocolo=protocolo, categoria=categoria("reclamacao"), autor=atendente)

    assert linha.nova_entrada() == registro(
        "categorizacao",
        "atendente",
        atendente,
        publica=True,
        texto="Categoria: Reclamação. Prazo de resposta: 11/03/2026.",
        detalhes={"de": None, "para": "reclamacao", "prazo_anterior": "2026-03-11", "prazo_novo": "2026-03-11"},
    )
    atual = linha.atual()
    assert (atual.categoria.codigo, atual.prazo, atual.versao) == ("reclamacao", datetime.date(2026, 3, 11), 2)


def test_changing_the_categoria_recomputes_the_prazo_from_the_opening(atendente):
    protocolo = abrir(atendente=atendente, categoria_codigo="reclamacao")
    linha = Linha(protocolo)

    services.protocolo_definir_categoria(protocolo=protocolo, categoria=categoria("cancelamento"), autor=atendente)

    assert linha.nova_entrada()["detalhes"] == {
        "de": "reclamacao",
        "para": "cancelamento",
        "prazo_anterior": "2026-03-11",
        "prazo_novo": "2026-03-04",
    }
    assert linha.atual().prazo == datetime.date(2026, 3, 4)


def test_recording_the_objeto_keeps_the_wording_in_the_timeline_without_a_new_version(atendente):
    protocolo = abrir(atendente=atendente, objeto="Cobrança indevida.")
    linha = Linha(protocolo)

    services.protocolo_registrar_objeto(protocolo=protocolo, objeto="  Cobrança em dobro.  ", autor=atendente)

    assert linha.nova_entrada() == registro("objeto", "atendente", atendente, publica=True, texto="Cobrança em dobro.")
    atual = linha.atual()
    assert (atual.objeto, atual.versao) == ("Cobrança em dobro.", linha.versao)


# Interactions -------------------------------------------------------------------------------------


def test_a_consumer_message_is_public_and_marks_when_the_consumer_wrote(atendente):
    protocolo = abrir(atendente=atendente)
    linha = Linha(protocolo)

    interacao = services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Ainda não recebi o estorno.", origem=CONSUMIDOR
    )

    assert linha.nova_entrada() == registro(
        "mensagem_consumidor", "consumidor", publica=True, texto="Ainda não recebi o estorno."
    )
    atual = linha.atual()
    assert interacao.ordem == linha.entradas + 1
    assert (atual.consumidor_escreveu_em, atual.atendente_escreveu_em, atual.versao) == (QUARTA, None, linha.versao)


@pytest.mark.parametrize(("publica", "tipo"), [(True, "mensagem"), (False, "nota_interna")])
def test_an_attendants_answer_or_note_marks_when_the_attendant_wrote(atendente, publica, tipo):
    protocolo = abrir(atendente=atendente)
    linha = Linha(protocolo)

    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Texto.", autor=atendente, publica=publica)

    assert linha.nova_entrada() == registro(tipo, "atendente", atendente, publica=publica, texto="Texto.")
    atual = linha.atual()
    assert (atual.atendente_escreveu_em, atual.consumidor_escreveu_em, atual.versao) == (QUARTA, None, linha.versao)


# Situação, responsável, nível ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("de", "para"),
    [
        ("aberto", "em_atendimento"),
        ("aberto", "aguardando_consumidor"),
        ("em_atendimento", "aguardando_consumidor"),
        ("aguardando_consumidor", "em_atendimento"),
    ],
)
def test_changing_the_situacao_records_old_and_new(atendente, de, para):
    protocolo = abrir(atendente=atendente)
    if de != "aberto":
        services.protocolo_mudar_situacao(protocolo=protocolo, situacao=de, autor=atendente)
    linha = Linha(protocolo)

    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=para, autor=atendente, texto="Pedi a fatura.")

    assert linha.nova_entrada() == registro(
        "situacao", "atendente", atendente, publica=True, texto="Pedi a fatura.", de=de, para=para
    )
    atual = linha.atual()
    assert (atual.situacao, atual.versao) == (para, linha.versao + 1)


def test_an_attendant_takes_an_unassigned_protocol(atendente):
    protocolo = abrir()
    linha = Linha(protocolo)

    services.protocolo_atribuir(protocolo=protocolo, responsavel=atendente, autor=atendente)

    assert linha.nova_entrada() == registro(
        "atribuicao",
        "atendente",
        atendente,
        texto=f"Responsável: {atendente.get_full_name()}.",
        detalhes={"de": None, "para": atendente.pk},
    )
    atual = linha.atual()
    assert (atual.responsavel, atual.versao) == (atendente, linha.versao + 1)


def test_a_supervisor_assigns_a_protocol_to_another_attendant(atendente, supervisor):
    protocolo = abrir(atendente=atendente)
    outro = AtendenteFactory()
    linha = Linha(protocolo)

    services.protocolo_atribuir(protocolo=protocolo, responsavel=outro, autor=supervisor)

    assert linha.nova_entrada() == registro(
        "atribuicao",
        "atendente",
        supervisor,
        texto=f"Responsável: {outro.get_full_name()}.",
        detalhes={"de": atendente.pk, "para": outro.pk},
    )
    assert linha.atual().responsavel == outro


def test_an_attendant_releases_their_own_protocol(atendente):
    protocolo = abrir(atendente=atendente)
    linha = Linha(protocolo)

    services.protocolo_atribuir(protocolo=protocolo, responsavel=None, autor=atendente)

    assert linha.nova_entrada() == registro(
        "atribuicao", "atendente", atendente, texto="Responsável: ninguém.", detalhes={"de": atendente.pk, "para": None}
    )
    assert linha.atual().responsavel is None


@pytest.mark.parametrize(
    ("quem", "origem", "publica"),
    [("atendente", "atendente", False), (None, "consumidor", True), (None, "sistema", True)],
)
def test_escalating_raises_the_nivel_by_one(atendente, quem, origem, publica):
    autor = atendente if quem else None
    protocolo = abrir(atendente=atendente)
    linha = Linha(protocolo)

    services.protocolo_escalar(protocolo=protocolo, motivo="Prazo vencido.", autor=autor, origem=origem)

    assert linha.nova_entrada() == registro(
        "escalonamento",
        origem,
        autor,
        publica=publica,
        texto="Prazo vencido.",
        nivel=(1, 2),
        detalhes={"responsavel_anterior": atendente.pk},
    )
    atual = linha.atual()
    # The next nível's queue takes it with nobody responsible (docs/dominio.md §5).
    assert (atual.nivel, atual.situacao, atual.versao, atual.responsavel) == (2, "aberto", linha.versao + 1, None)


@pytest.mark.parametrize(("origem", "marcado"), [(SISTEMA, datetime.date(2026, 3, 11)), (CONSUMIDOR, None)])
def test_only_the_deadline_job_marks_the_prazo_it_escalated_for(atendente, origem, marcado):
    protocolo = abrir(atendente=atendente)

    services.protocolo_escalar(protocolo=protocolo, motivo="Prazo vencido.", origem=origem)

    assert Protocolo.objects.get(pk=protocolo.pk).escalado_no_prazo == marcado


def test_escalating_from_level_two_reaches_the_ombudsman(atendente, supervisor):
    protocolo = abrir(atendente=atendente)
    services.protocolo_escalar(protocolo=protocolo, motivo="Primeiro.", autor=atendente)
    linha = Linha(protocolo)

    services.protocolo_escalar(protocolo=protocolo, motivo="Segundo.", autor=supervisor)

    assert linha.nova_entrada()["nivel_anterior"] == 2
    assert linha.atual().nivel == 3


# Resolution and after ------------------------------------------------------------------------------


@pytest.mark.parametrize("de", ["aberto", "em_atendimento", "aguardando_consumidor"])
def test_resolving_records_the_answer_and_when(atendente, de):
    protocolo = abrir(atendente=atendente)
    if de != "aberto":
        services.protocolo_mudar_situacao(protocolo=protocolo, situacao=de, autor=atendente)
    linha = Linha(protocolo)

    services.protocolo_resolver(protocolo=protocolo, texto="Estorno feito.", autor=atendente)

    assert linha.nova_entrada() == registro(
        "resolucao", "atendente", atendente, publica=True, texto="Estorno feito.", de=de, para="resolvido"
    )
    atual = linha.atual()
    assert (atual.situacao, atual.resolvido_em, atual.atendente_escreveu_em) == ("resolvido", QUARTA, QUARTA)
    assert atual.versao == linha.versao + 1


def test_the_consumer_reopens_a_resolution_they_dispute(atendente):
    protocolo = resolvido(atendente)
    linha = Linha(protocolo)

    services.protocolo_reabrir(protocolo=protocolo, motivo="O estorno não veio.", origem=CONSUMIDOR)

    assert linha.nova_entrada() == registro(
        "reabertura",
        "consumidor",
        publica=True,
        texto="O estorno não veio.",
        de="resolvido",
        para="em_atendimento",
    )
    atual = linha.atual()
    assert (atual.situacao, atual.resolvido_em, atual.versao) == ("em_atendimento", None, linha.versao + 1)


def test_reopening_keeps_the_prazo(atendente):
    protocolo = resolvido(atendente)

    services.protocolo_reabrir(protocolo=protocolo, motivo="Não resolveu.", autor=atendente)

    assert Protocolo.objects.get(pk=protocolo.pk).prazo == datetime.date(2026, 3, 11)


def test_the_consumer_closes_with_a_rating_and_a_comment(atendente):
    protocolo = resolvido(atendente)
    linha = Linha(protocolo)

    services.protocolo_encerrar(protocolo=protocolo, origem=CONSUMIDOR, avaliacao=4, comentario="Demorou, mas veio.")

    assert linha.nova_entrada() == registro(
        "encerramento",
        "consumidor",
        publica=True,
        texto="Demorou, mas veio.",
        de="resolvido",
        para="encerrado",
        detalhes={"avaliacao": 4},
    )
    atual = linha.atual()
    assert (atual.situacao, atual.avaliacao, atual.encerrado_em) == ("encerrado", 4, QUARTA)
    assert atual.versao == linha.versao + 1


def test_the_system_closes_without_a_rating(atendente):
    protocolo = resolvido(atendente)
    linha = Linha(protocolo)

    services.protocolo_encerrar(protocolo=protocolo)

    assert linha.nova_entrada() == registro(
        "encerramento", "sistema", publica=True, de="resolvido", para="encerrado", detalhes={"avaliacao": None}
    )
    atual = linha.atual()
    assert (atual.situacao, atual.avaliacao, atual.encerrado_em) == ("encerrado", None, QUARTA)


@pytest.mark.parametrize("avaliacao", [0, 6, -1, "5", True, 4.0])
def test_it_refuses_a_rating_outside_one_to_five(atendente, avaliacao):
    protocolo = resolvido(atendente)

    with pytest.raises(DadosInvalidos, match="de 1 a 5"):
        services.protocolo_encerrar(protocolo=protocolo, origem=CONSUMIDOR, avaliacao=avaliacao)

    atual = Protocolo.objects.get(pk=protocolo.pk)
    assert (atual.situacao, atual.avaliacao) == ("resolvido", None)


@pytest.mark.parametrize("de", ["aberto", "em_atendimento", "resolvido"])
def test_a_supervisor_cancels_with_a_reason(atendente, supervisor, de):
    protocolo = {"aberto": abrir, "em_atendimento": em_atendimento, "resolvido": resolvido}[de](atendente=atendente)
    linha = Linha(protocolo)

    services.protocolo_cancelar(protocolo=protocolo, motivo="Aberto por engano.", autor=supervisor)

    assert linha.nova_entrada() == registro(
        "cancelamento", "atendente", supervisor, publica=True, texto="Aberto por engano.", de=de, para="cancelado"
    )
    atual = linha.atual()
    assert (atual.situacao, atual.encerrado_em, atual.versao) == ("cancelado", QUARTA, linha.versao + 1)


def test_marking_a_duplicate_closes_it_with_a_link_to_the_original(atendente):
    original = abrir(atendente=atendente)
    protocolo = em_atendimento(atendente)
    linha = Linha(protocolo)

    services.protocolo_marcar_duplicado(protocolo=protocolo, original=original, autor=atendente)

    assert linha.nova_entrada() == registro(
        "duplicidade",
        "atendente",
        atendente,
        publica=True,
        texto=f"Esta demanda segue no protocolo {original.numero_formatado}.",
        de="em_atendimento",
        para="encerrado",
        detalhes={"original": original.numero},
    )
    atual = linha.atual()
    assert (atual.situacao, atual.duplicado_de, atual.encerrado_em) == ("encerrado", original, QUARTA)
    assert atual.versao == linha.versao + 1
    assert Interacao.objects.filter(protocolo=original).count() == 1


def test_a_supervisor_extends_the_prazo_with_a_reason(atendente, supervisor):
    protocolo = abrir(atendente=atendente)
    linha = Linha(protocolo)

    services.protocolo_prorrogar_prazo(
        protocolo=protocolo, novo_prazo=datetime.date(2026, 3, 20), motivo="Aguardando o banco.", autor=supervisor
    )

    assert linha.nova_entrada() == registro(
        "prorrogacao",
        "atendente",
        supervisor,
        publica=True,
        texto="Aguardando o banco.",
        detalhes={"prazo_anterior": "2026-03-11", "prazo_novo": "2026-03-20"},
    )
    atual = linha.atual()
    assert (atual.prazo, atual.versao) == (datetime.date(2026, 3, 20), linha.versao + 1)


def test_sending_the_number_records_which_message_carried_it(atendente):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory())
    linha = Linha(protocolo)

    [mensagem] = services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente)

    assert linha.nova_entrada() == registro(
        "envio_numero",
        "atendente",
        atendente,
        publica=True,
        texto="Número do protocolo enviado por e-mail.",
        detalhes={"mensagens": [mensagem.message_id]},
    )
    assert linha.atual().versao == linha.versao
