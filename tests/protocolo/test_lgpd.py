"""
Anonymisation (docs/dominio.md §1, §2): what it removes, what it keeps, the chain that still verifies, the
record it leaves, the retention and the legal hold that refuse it; and the data subject's export.
"""

import datetime
import json
from io import StringIO

import pgtrigger
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from protocolo import integridade, lgpd, relogio, services
from protocolo.exceptions import DadosInvalidos
from protocolo.models import AcessoDadoPessoal, Consumidor, Contato, Interacao, Mensagem, Protocolo, Situacao
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

Origem = Interacao.Origem
CPF = "52998224725"
SEIS_ANOS = datetime.timedelta(days=6 * 365)


def _no_passado(quando=SEIS_ANOS):
    return relogio.em(relogio.agora() - quando)


@pytest.fixture
def titular():
    return ConsumidorFactory(
        cpf=CPF, nome="Joana Ribeiro Conceição", email="joana.ribeiro@exemplo.com.br", telefone="(11) 98765-4321"
    )


def _vida_completa(consumidor, atendente, *, encerrar=True):
    """A protocol whose timeline quotes the consumer's data in every shape people write it."""
    protocolo = abrir(atendente=atendente, consumidor=consumidor, objeto="Joana Ribeiro pede estorno da fatura.")
    services.protocolo_registrar_interacao(
        protocolo=protocolo,
        texto="Meu CPF é 529.982.247-25, e-mail JOANA.RIBEIRO@exemplo.com.br, fone 98765 4321. Joana.",
        origem=Origem.CONSUMIDOR,
    )
    services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Liguei para (11) 98765-4321, falei com a Sra. Conceição.", autor=atendente
    )
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Sem dados pessoais aqui.", autor=atendente)
    services.protocolo_resolver(protocolo=protocolo, texto="Estornamos a cobrança.", autor=atendente)
    if encerrar:
        services.protocolo_encerrar(protocolo=protocolo, origem=Origem.CONSUMIDOR, avaliacao=4)
    return Protocolo.objects.get(pk=protocolo.pk)


@pytest.fixture
def antigo(titular, atendente):
    """The titular's protocol, ended six years ago."""
    with _no_passado():
        titular.criado_em = relogio.agora()
        titular.save(update_fields=["criado_em"])
        return _vida_completa(titular, atendente)


def _verificar():
    saida = StringIO()
    call_command("verificar_integridade", stdout=saida, stderr=StringIO())
    return saida.getvalue()


# What it removes and keeps ------------------------------------------------------------------------


def test_anonymisation_replaces_the_consumers_data_and_clears_the_cpf(titular, antigo):
    lgpd.anonimizar(titular)

    titular.refresh_from_db()
    assert titular.cpf is None
    assert set(Contato.objects.values_list("valor", flat=True)) == {""}
    assert titular.nome == lgpd.NOME_ANONIMO
    assert titular.anonimizado_em is not None


def test_anonymisation_keeps_numbers_dates_and_timelines(titular, antigo):
    antes = list(
        Interacao.objects.filter(protocolo=antigo).order_by("ordem").values_list("ordem", "tipo", "criada_em", "mac")
    )

    lgpd.anonimizar(titular)

    depois = Protocolo.objects.get(pk=antigo.pk)
    assert (depois.numero, depois.aberto_em, depois.situacao, depois.avaliacao) == (
        antigo.numero,
        antigo.aberto_em,
        Situacao.ENCERRADO,
        4,
    )
    assert depois.consumidor_id == titular.pk
    entradas = list(
        Interacao.objects.filter(protocolo=antigo).order_by("ordem").values_list("ordem", "tipo", "criada_em", "mac")
    )
    assert entradas[: len(antes)] == antes
    assert entradas[-1][1] == Interacao.Tipo.ANONIMIZACAO


def test_personal_data_inside_the_timeline_is_masked_in_every_shape(titular, antigo):
    lgpd.anonimizar(titular)

    textos = " | ".join(Interacao.objects.filter(protocolo=antigo).values_list("texto", flat=True))
    detalhes = json.dumps(list(Interacao.objects.filter(protocolo=antigo).values_list("detalhes", flat=True)))
    for dado in ("529.982.247-25", "982.247", "joana", "JOANA", "Joana", "Conceição", "98765", "4321", "Ribeiro"):
        assert dado not in textos
        assert dado not in detalhes
    assert "[CPF removido]" in textos
    assert "[e-mail removido]" in textos
    assert "[telefone removido]" in textos
    assert "Sem dados pessoais aqui." in textos
    assert "Joana" not in Protocolo.objects.get(pk=antigo.pk).objeto


def test_only_the_entries_that_held_personal_data_are_redacted_and_named(titular, antigo):
    intocadas = set(
        Interacao.objects.filter(protocolo=antigo, texto="Sem dados pessoais aqui.").values_list("ordem", flat=True)
    )

    lgpd.anonimizar(titular)

    registro = Interacao.objects.filter(protocolo=antigo, tipo=Interacao.Tipo.ANONIMIZACAO).get()
    redigidas = {int(ordem) for ordem in registro.detalhes["redigidas"]}
    assert redigidas
    assert not redigidas & intocadas
    assert registro.origem == Origem.SISTEMA


def test_the_outbox_copies_of_messages_to_the_consumer_go(titular, antigo):
    assert Mensagem.objects.filter(protocolo=antigo).exists()

    lgpd.anonimizar(titular)

    assert not Mensagem.objects.filter(protocolo=antigo).exists()
    assert not Mensagem.objects.filter(destinatario__iexact="joana.ribeiro@exemplo.com.br").exists()


# The chain ----------------------------------------------------------------------------------------


def test_the_chain_still_verifies_after_anonymisation(titular, antigo, atendente):
    with _no_passado():
        _vida_completa(titular, atendente)
    abrir()  # someone else's protocol, untouched

    lgpd.anonimizar(titular)

    assert "nenhuma adulteração encontrada" in _verificar()
    assert integridade.verificar_cadeia(antigo.numero, antigo.interacoes.order_by("ordem")) is None


def test_the_chain_keeps_growing_after_anonymisation(titular, antigo):
    lgpd.anonimizar(titular)

    services.protocolo_registrar_interacao(protocolo=antigo, texto="Consulta posterior do jurídico.")

    assert "nenhuma adulteração encontrada" in _verificar()


def test_a_redaction_without_the_anonymisation_record_fails_verification(titular, antigo):
    """Someone rewriting a text as anonymisation would, but without the chained record."""
    with pgtrigger.ignore(lgpd.GATILHO), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE protocolo_interacao SET texto = %s WHERE protocolo_id = %s AND ordem = 2",
            ["[CPF removido]", antigo.pk],
        )

    erros = StringIO()
    with pytest.raises(CommandError):
        call_command("verificar_integridade", stdout=StringIO(), stderr=erros)
    assert f"Protocolo {antigo.numero}, interação #2" in erros.getvalue()


def test_a_later_rewrite_of_an_anonymised_entry_fails_verification(titular, antigo):
    lgpd.anonimizar(titular)
    registro = Interacao.objects.get(protocolo=antigo, tipo=Interacao.Tipo.ANONIMIZACAO)
    ordem = int(next(iter(registro.detalhes["redigidas"])))

    with pgtrigger.ignore(lgpd.GATILHO), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE protocolo_interacao SET texto = 'outro texto' WHERE protocolo_id = %s AND ordem = %s",
            [antigo.pk, ordem],
        )

    with pytest.raises(CommandError):
        call_command("verificar_integridade", stdout=StringIO(), stderr=StringIO())


def test_outside_anonymisation_the_timeline_still_refuses_updates(titular, antigo):
    lgpd.anonimizar(titular)

    with pytest.raises(Exception, match="Cannot update"), connection.cursor() as cursor:
        cursor.execute("UPDATE protocolo_interacao SET texto = 'x' WHERE protocolo_id = %s", [antigo.pk])


def test_the_admins_log_no_longer_names_the_consumer(titular, antigo, supervisor):
    # A legal hold set and lifted in the admin leaves log entries that name the consumer.
    tipo = ContentType.objects.get_for_model(Consumidor)
    LogEntry.objects.log_actions(supervisor.pk, [titular], CHANGE, change_message="guarda legal", single_object=True)
    assert LogEntry.objects.get(content_type=tipo, object_id=str(titular.pk)).object_repr == titular.nome

    lgpd.anonimizar(titular)

    entrada = LogEntry.objects.get(content_type=tipo, object_id=str(titular.pk))
    assert entrada.object_repr == lgpd.NOME_ANONIMO
    assert "Joana" not in str(entrada)


# Refusals -----------------------------------------------------------------------------------------


def test_a_consumer_under_legal_hold_is_never_touched(titular, antigo):
    titular.retencao_suspensa, titular.motivo_retencao = True, "Processo 0001234-56.2025.8.26.0100"
    titular.save()

    with pytest.raises(DadosInvalidos, match=r"guarda legal.*0001234-56"):
        lgpd.anonimizar(titular)

    titular.refresh_from_db()
    assert titular.cpf == CPF
    assert not Interacao.objects.filter(protocolo=antigo, tipo=Interacao.Tipo.ANONIMIZACAO).exists()


def test_an_open_protocol_keeps_the_data(titular, antigo, atendente):
    aberto = abrir(consumidor=titular, atendente=atendente)

    with pytest.raises(DadosInvalidos, match=f"{aberto.numero_formatado} ainda está aberto"):
        lgpd.anonimizar(titular)


def test_a_protocol_ended_within_the_retention_keeps_the_data(titular, antigo, atendente):
    with _no_passado(datetime.timedelta(days=365)):
        recente = _vida_completa(titular, atendente)

    with pytest.raises(DadosInvalidos, match=f"{recente.numero_formatado} terminou em .*ficam guardados até"):
        lgpd.anonimizar(titular)


def test_a_consumer_is_anonymised_only_once(titular, antigo):
    lgpd.anonimizar(titular)

    with pytest.raises(DadosInvalidos, match="já foi anonimizado"):
        lgpd.anonimizar(titular)
    assert Interacao.objects.filter(protocolo=antigo, tipo=Interacao.Tipo.ANONIMIZACAO).count() == 1


def test_the_retention_setting_decides(na_quarta, settings, titular, antigo):
    # `antigo` ended six years (2,190 days) before QUARTA: past the default retention, within ten years.
    assert lgpd.motivo_da_recusa(titular) is None
    settings.PROTOCOLO_RETENCAO_DIAS = 10 * 365

    assert lgpd.motivo_da_recusa(titular) == (
        f"o protocolo {antigo.numero_formatado} terminou em 05/03/2020; "
        "os dados ficam guardados até 03/03/2030 (3650 dias de retenção)."
    )
    assert titular not in lgpd.elegiveis()


def test_the_data_is_kept_for_the_whole_retention_and_goes_only_after_it(na_quarta, titular, antigo):
    # "More than the retention period ago": at exactly N days it is still kept, by the job and the admin.
    fim = max(antigo.encerrado_em, titular.criado_em)
    exatamente = fim + lgpd.retencao()
    motivo = (
        f"o protocolo {antigo.numero_formatado} terminou em 05/03/2020; "
        "os dados ficam guardados até 06/03/2025 (1827 dias de retenção)."
    )

    assert lgpd.motivo_da_recusa(titular, exatamente) == motivo
    assert titular not in lgpd.elegiveis(exatamente)
    with pytest.raises(DadosInvalidos) as recusa:
        lgpd.anonimizar(titular, agora=exatamente)
    assert str(recusa.value) == f"{titular} não pode ser anonimizado: {motivo}"

    depois = exatamente + datetime.timedelta(microseconds=1)
    assert lgpd.motivo_da_recusa(titular, depois) is None
    assert titular in lgpd.elegiveis(depois)


# Masking ------------------------------------------------------------------------------------------


def test_masking_leaves_protocol_numbers_dates_and_other_digits_alone(titular):
    protocolo = abrir()
    texto = f"Ver protocolo {protocolo.numero_formatado} ({protocolo.numero}) de 27/11/2026, R$ 1.234,56."

    assert lgpd.Mascara(titular).texto(texto) == texto


def test_masking_removes_any_valid_cpf_and_any_email_address():
    mascara = lgpd.Mascara(Consumidor(nome="", cpf=None))

    assert mascara.texto("CPF da mãe: 111.444.777-35; escreva a fulano@exemplo.org") == (
        "CPF da mãe: [CPF removido]; escreva a [e-mail removido]"
    )
    assert mascara.texto("Código 111.444.777-36") == "Código 111.444.777-36"


def test_cpfs_in_texts_shown_to_staff_are_masked():
    assert lgpd.mascarar_cpfs("CPF 52998224725 ou 529.982.247-25") == "CPF ***.982.247-** ou ***.982.247-**"


# The data subject's export ------------------------------------------------------------------------


def test_the_export_holds_all_the_data_with_public_and_internal_timelines(titular, atendente, supervisor):
    protocolo = _vida_completa(titular, atendente, encerrar=False)

    dados = lgpd.exportar_titular(titular, usuario=supervisor)

    assert dados["titular"]["cpf"] == "529.982.247-25"
    contatos = {(c["tipo"], c["valor"], c["vinculado"]) for c in dados["titular"]["contatos"]}
    assert ("e-mail", "joana.ribeiro@exemplo.com.br", True) in contatos
    [exportado] = dados["protocolos"]
    assert exportado["numero"] == protocolo.numero_formatado
    publicas = {e["publica"] for e in exportado["linha_do_tempo"]}
    assert publicas == {True, False}
    assert len(exportado["linha_do_tempo"]) == protocolo.interacoes.count()
    json.dumps(dados)  # serialisable as it is


def test_the_export_is_recorded_as_an_access_to_personal_data(titular, supervisor):
    lgpd.exportar_titular(titular, usuario=supervisor)

    acesso = AcessoDadoPessoal.objects.get()
    assert (acesso.usuario, acesso.consumidor, acesso.tipo) == (supervisor, titular, AcessoDadoPessoal.Tipo.EXPORTAR)
