"""The record is append-only in Django itself, at every depth (docs/dominio.md §1),
and a whole life cycle through the services leaves chains that verify."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models.deletion import ProtectedError

from protocolo import integridade, relogio, services
from protocolo.exceptions import RegistroImutavel
from protocolo.models import Interacao, Protocolo
from tests.factories import ConsumidorFactory, OuvidoriaFactory, abrir, categoria

pytestmark = pytest.mark.django_db

CONSUMIDOR = services.Origem.CONSUMIDOR


@pytest.fixture
def protocolo(atendente):
    protocolo = abrir(atendente=atendente, objeto="Cobrança indevida.")
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Pedi a fatura.", autor=atendente)
    return protocolo


def _linhas(protocolo):
    return list(Interacao.objects.filter(protocolo=protocolo).values_list("ordem", "tipo", "texto", "mac"))


def _reescrever_uma(protocolo):
    entrada = protocolo.interacoes.get(ordem=1)
    entrada.texto = "Nada aconteceu."
    entrada.save()


def _forjar_por_cima(protocolo):
    """A new instance carrying an existing pk: Django would UPDATE that row."""
    original = protocolo.interacoes.get(ordem=1)
    Interacao(
        pk=original.pk,
        protocolo=protocolo,
        ordem=1,
        tipo="abertura",
        origem="sistema",
        texto="Forjada.",
        chave_versao=original.chave_versao,
        mac=original.mac,
    ).save()


REESCRITAS = {
    "interacao-save": _reescrever_uma,
    "interacao-save-update-fields": lambda p: p.interacoes.get(ordem=1).save(update_fields=["texto"]),
    "interacao-forjada-com-pk": _forjar_por_cima,
    "interacao-delete": lambda p: p.interacoes.get(ordem=2).delete(),
    "interacoes-update": lambda p: Interacao.objects.update(texto="x"),
    "interacoes-delete": lambda p: Interacao.objects.all().delete(),
    "interacoes-filtradas-delete": lambda p: Interacao.objects.filter(protocolo=p, ordem=2).delete(),
    "relacionadas-update": lambda p: p.interacoes.update(publica=True),
    "relacionadas-delete": lambda p: p.interacoes.all().delete(),
    "bulk-update": lambda p: Interacao.objects.bulk_update(list(p.interacoes.all()), ["texto"]),
    "protocolo-delete": lambda p: p.delete(),
    "protocolos-delete": lambda p: Protocolo.objects.all().delete(),
    "protocolos-filtrados-delete": lambda p: Protocolo.objects.filter(pk=p.pk).delete(),
}


@pytest.mark.parametrize("reescrita", REESCRITAS.values(), ids=REESCRITAS.keys())
def test_django_refuses_rewriting_or_deleting_the_record(protocolo, reescrita):
    antes = _linhas(protocolo)

    with pytest.raises(RegistroImutavel), transaction.atomic():
        reescrita(protocolo)

    assert _linhas(protocolo) == antes
    assert Protocolo.objects.filter(pk=protocolo.pk).exists()


def test_the_refusal_is_explained_in_portuguese(protocolo):
    with pytest.raises(RegistroImutavel, match="somente de acréscimo: registre uma nova interação"):
        _reescrever_uma(protocolo)


def test_a_consumer_named_by_a_protocol_cannot_be_deleted(atendente):
    consumidor = ConsumidorFactory()
    abrir(atendente=atendente, consumidor=consumidor)

    with pytest.raises(ProtectedError), transaction.atomic():
        consumidor.delete()


def test_an_author_named_by_the_record_cannot_be_deleted(protocolo, atendente):
    with pytest.raises(ProtectedError), transaction.atomic():
        atendente.delete()

    assert protocolo.interacoes.filter(autor=atendente).count() == 2


def _ciclo_completo(atendente, supervisor):
    """Every service, in the order a real demand meets them."""
    protocolo = services.protocolo_abrir(canal="telefone", atendente=atendente)
    _, consumidor, _ = services.protocolo_identificar_por_cpf(
        protocolo=protocolo, cpf="529.982.247-25", nome="Maria", email="maria@exemplo.com", autor=atendente
    )
    services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente)
    services.protocolo_definir_categoria(protocolo=protocolo, categoria=categoria("cobranca"), autor=atendente)
    services.protocolo_registrar_objeto(protocolo=protocolo, objeto="Cobrança em dobro.", autor=atendente)
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao="em_atendimento", autor=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Suspeita de erro no sistema.", autor=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Envie a fatura.", autor=atendente, publica=True)
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao="aguardando_consumidor", autor=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Segue a fatura.", origem=CONSUMIDOR)
    services.protocolo_escalar(protocolo=protocolo, motivo="Valor alto.", autor=atendente)
    services.protocolo_atribuir(protocolo=protocolo, responsavel=supervisor, autor=supervisor)
    services.protocolo_prorrogar_prazo(
        protocolo=protocolo,
        novo_prazo=relogio.hoje() + datetime.timedelta(days=60),
        motivo="Banco.",
        autor=supervisor,
    )
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno feito.", autor=supervisor)
    services.protocolo_reabrir(protocolo=protocolo, motivo="Não veio.", origem=CONSUMIDOR)
    services.protocolo_escalar(protocolo=protocolo, motivo="Reaberto.", origem=CONSUMIDOR)
    # On the third nível the ouvidoria answers (docs/dominio.md §5).
    services.protocolo_resolver(protocolo=protocolo, texto="Agora sim.", autor=OuvidoriaFactory())
    services.protocolo_encerrar(protocolo=protocolo, origem=CONSUMIDOR, avaliacao=4, comentario="Ok.")

    cancelado = abrir(atendente=atendente)
    services.protocolo_cancelar(protocolo=cancelado, motivo="Engano.", autor=supervisor)
    duplicado = abrir(atendente=atendente, consumidor=consumidor)
    services.protocolo_marcar_duplicado(protocolo=duplicado, original=protocolo, autor=atendente)
    return [protocolo, cancelado, duplicado]


def test_a_full_life_cycle_leaves_gapless_chains_that_verify(atendente, supervisor):
    protocolos = _ciclo_completo(atendente, supervisor)

    for protocolo in protocolos:
        entradas = list(protocolo.interacoes.order_by("ordem"))
        assert [e.ordem for e in entradas] == list(range(1, len(entradas) + 1))
        assert integridade.verificar_cadeia(protocolo.numero, entradas) is None
    assert protocolos[0].interacoes.count() == 18


def test_verificar_integridade_passes_after_a_full_life_cycle(atendente, supervisor):
    _ciclo_completo(atendente, supervisor)
    saida = io.StringIO()

    call_command("verificar_integridade", stdout=saida, stderr=io.StringIO())

    assert "nenhuma adulteração encontrada" in saida.getvalue()
