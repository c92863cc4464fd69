"""
The tamper-evident timeline (docs/dominio.md §1): the HMAC chain, the daily gapless numbering that exposes a
deleted protocol, key rotation, LGPD redaction and the consumer's receipt code.

Tampering happens as someone with only database access would do it: raw SQL, with the append-only
trigger switched off for the statement.
"""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pgtrigger
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from protocolo import integridade, numeracao, services
from protocolo.models import Interacao, Protocolo, Situacao
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

Tipo = Interacao.Tipo
Origem = Interacao.Origem

PROTECOES = ("protocolo.Interacao:interacao_somente_acrescimo", "protocolo.Protocolo:protocolo_sem_exclusao")
CHAVE_ANTIGA = bytes.fromhex("c3" * 32)
CHAVE_NOVA = bytes.fromhex("d4" * 32)

# Positions in the timeline `_ciclo_de_vida` writes.
NOTA_INTERNA, MUDANCA_DE_SITUACAO, MENSAGEM_DO_CONSUMIDOR, ESCALONAMENTO, ULTIMA = 3, 4, 5, 6, 8


def _ciclo_de_vida(atendente, supervisor):
    """A protocol that went through what most do: opened, identified, noted, answered, escalated,
    resolved and closed by the consumer (8 entries)."""
    protocolo = abrir(atendente=atendente)  # 1 abertura
    services.protocolo_identificar_consumidor(protocolo=protocolo, consumidor=ConsumidorFactory(), autor=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Cliente já ligou 3 vezes.", autor=atendente)
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)
    services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Meu CPF é 529.982.247-25 e a cobrança continua.", origem=Origem.CONSUMIDOR
    )
    services.protocolo_escalar(protocolo=protocolo, motivo="Valor acima da alçada.", autor=supervisor)
    # Past the escalation the case is the supervisors' (docs/dominio.md §5).
    services.protocolo_resolver(protocolo=protocolo, texto="Estornamos a cobrança indevida.", autor=supervisor)
    services.protocolo_encerrar(protocolo=protocolo, origem=Origem.CONSUMIDOR, avaliacao=5)
    return Protocolo.objects.get(pk=protocolo.pk)


def _cadeia(protocolo):
    return list(Interacao.objects.filter(protocolo_id=protocolo.pk).order_by("ordem"))


def _falha(protocolo):
    return integridade.verificar_cadeia(protocolo.numero, _cadeia(protocolo))


def _sql(sql, params=()):
    """What someone with database access can do: any statement, past the append-only triggers."""
    with pgtrigger.ignore(*PROTECOES), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verificar(*args):
    """stdout of a passing `verificar_integridade`."""
    saida = StringIO()
    call_command("verificar_integridade", *args, stdout=saida, stderr=StringIO())
    return saida.getvalue()


def _verificar_com_falha(*args):
    """stderr of a failing `verificar_integridade` (it must fail)."""
    erros = StringIO()
    with pytest.raises(CommandError, match="problema"):
        call_command("verificar_integridade", *args, stdout=StringIO(), stderr=erros)
    return erros.getvalue()


def _anexar_anonimizacao(protocolo, redigidas):
    """The chained entry an LGPD anonymisation appends, naming each redacted ordem with its MAC."""
    _anexar_registro(protocolo, {"redigidas": {str(ordem): mac for ordem, mac in redigidas.items()}})


def _anexar_registro(protocolo, detalhes, *, tipo=Tipo.ANONIMIZACAO, texto="Dados pessoais anonimizados (LGPD)."):
    """An entry (an anonymisation record unless told) carrying `detalhes` as given, chained and
    sealed like any other."""
    with transaction.atomic():
        travado = Protocolo.objects.select_for_update().get(pk=protocolo.pk)
        services.anexar_ao_historico(travado, tipo=tipo, origem=Origem.SISTEMA, texto=texto, detalhes=detalhes)


def _redigir(protocolo, ordem, texto="[dado pessoal removido]"):
    """Rewrite one entry's text in place, as anonymisation does; the MAC of the redacted content."""
    _sql(
        "UPDATE protocolo_interacao SET texto = %s WHERE protocolo_id = %s AND ordem = %s", [texto, protocolo.pk, ordem]
    )
    entradas = {entrada.ordem: entrada for entrada in _cadeia(protocolo)}
    return integridade.calcular_mac(entradas[ordem], protocolo.numero, entradas[ordem - 1].mac)


# The untouched chain ------------------------------------------------------------------------------


def test_a_protocol_with_a_full_life_cycle_verifies(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)

    assert [entrada.ordem for entrada in _cadeia(protocolo)] == list(range(1, ULTIMA + 1))
    assert _falha(protocolo) is None


def test_the_command_passes_on_untouched_protocols(atendente, supervisor):
    _ciclo_de_vida(atendente, supervisor)
    abrir(atendente=atendente)

    assert "nenhuma adulteração encontrada" in _verificar()


def test_the_command_checks_one_protocol_given_in_its_formatted_shape(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)

    assert "nenhuma adulteração encontrada" in _verificar("--protocolo", protocolo.numero_formatado)


def test_checking_one_protocol_ignores_a_broken_neighbour(atendente, supervisor):
    intacto, adulterado = _ciclo_de_vida(atendente, supervisor), _ciclo_de_vida(atendente, supervisor)
    _sql("UPDATE protocolo_interacao SET texto = 'x' WHERE protocolo_id = %s AND ordem = 2", [adulterado.pk])

    assert "nenhuma adulteração encontrada" in _verificar("--protocolo", intacto.numero_formatado)
    assert f"Protocolo {adulterado.numero}, interação #2" in _verificar_com_falha()


# Tampering behind the application's back ------------------------------------------------------------


def _editar_texto(protocolo):
    _sql(
        "UPDATE protocolo_interacao SET texto = 'Já resolvido, nada a cobrar.' WHERE protocolo_id = %s AND ordem = %s",
        [protocolo.pk, MENSAGEM_DO_CONSUMIDOR],
    )


def _tornar_publica_a_nota_interna(protocolo):
    _sql(
        "UPDATE protocolo_interacao SET publica = NOT publica WHERE protocolo_id = %s AND ordem = %s",
        [protocolo.pk, NOTA_INTERNA],
    )


def _mudar_a_data(protocolo):
    _sql(
        "UPDATE protocolo_interacao SET criada_em = criada_em - interval '1 second' "
        "WHERE protocolo_id = %s AND ordem = %s",
        [protocolo.pk, MUDANCA_DE_SITUACAO],
    )


def _excluir_do_meio(protocolo):
    _sql("DELETE FROM protocolo_interacao WHERE protocolo_id = %s AND ordem = %s", [protocolo.pk, ESCALONAMENTO])


def _trocar_a_ordem(protocolo):
    """Swap #5 and #6 (through a free position: (protocolo, ordem) is unique)."""
    for de, para in ((MENSAGEM_DO_CONSUMIDOR, 1000), (ESCALONAMENTO, MENSAGEM_DO_CONSUMIDOR), (1000, ESCALONAMENTO)):
        _sql(
            "UPDATE protocolo_interacao SET ordem = %s WHERE protocolo_id = %s AND ordem = %s", [para, protocolo.pk, de]
        )


def _reassinar_com_outra_chave(protocolo):
    """Edit an entry and recompute its MAC with the real function, but a key that is not ours."""
    entradas = _cadeia(protocolo)
    alvo, anterior = entradas[MENSAGEM_DO_CONSUMIDOR - 1], entradas[MENSAGEM_DO_CONSUMIDOR - 2]
    alvo.texto = "Desisto da reclamação."
    with override_settings(PROTOCOLO_CHAVES_INTEGRIDADE={alvo.chave_versao: CHAVE_ANTIGA}):
        mac = integridade.calcular_mac(alvo, protocolo.numero, anterior.mac)
    _sql("UPDATE protocolo_interacao SET texto = %s, mac = %s WHERE id = %s", [alvo.texto, mac, alvo.pk])


ADULTERACOES = [
    pytest.param(_editar_texto, MENSAGEM_DO_CONSUMIDOR, "o conteúdo não confere", id="texto-editado"),
    pytest.param(_tornar_publica_a_nota_interna, NOTA_INTERNA, "o conteúdo não confere", id="publica-invertida"),
    pytest.param(_mudar_a_data, MUDANCA_DE_SITUACAO, "o conteúdo não confere", id="criada_em-alterada"),
    pytest.param(_excluir_do_meio, ESCALONAMENTO, "falta a entrada", id="entrada-do-meio-excluida"),
    pytest.param(_trocar_a_ordem, MENSAGEM_DO_CONSUMIDOR, "o conteúdo não confere", id="ordem-trocada"),
    pytest.param(_reassinar_com_outra_chave, MENSAGEM_DO_CONSUMIDOR, "o conteúdo não confere", id="mac-de-outra-chave"),
]


@pytest.mark.parametrize(("adulterar", "ordem", "motivo"), ADULTERACOES)
def test_the_chain_names_the_first_tampered_entry(atendente, supervisor, adulterar, ordem, motivo):
    protocolo = _ciclo_de_vida(atendente, supervisor)

    adulterar(protocolo)

    falha = _falha(protocolo)
    assert (falha.numero, falha.ordem) == (protocolo.numero, ordem)
    assert motivo in falha.motivo


@pytest.mark.parametrize(("adulterar", "ordem", "motivo"), ADULTERACOES)
def test_the_command_fails_naming_the_protocol_and_the_tampered_entry(atendente, supervisor, adulterar, ordem, motivo):
    protocolo = _ciclo_de_vida(atendente, supervisor)
    _ciclo_de_vida(atendente, supervisor)  # an intact neighbour is not reported

    adulterar(protocolo)

    erros = _verificar_com_falha()
    assert f"Protocolo {protocolo.numero}, interação #{ordem}" in erros
    assert motivo in erros
    assert erros.count("Protocolo ") == 1
    assert f"Protocolo {protocolo.numero}, interação #{ordem}" in _verificar_com_falha(
        "--protocolo", protocolo.numero_formatado
    )


def test_an_entry_moved_to_another_protocol_breaks_the_receiving_chain(atendente):
    origem, destino = abrir(atendente=atendente), abrir(atendente=atendente)
    services.protocolo_registrar_interacao(protocolo=origem, texto="Reembolso aprovado.", autor=atendente)

    _sql(
        "UPDATE protocolo_interacao SET protocolo_id = %s WHERE protocolo_id = %s AND ordem = 2",
        [destino.pk, origem.pk],
    )

    falha = _falha(destino)
    assert (falha.numero, falha.ordem) == (destino.numero, 2)
    assert f"Protocolo {destino.numero}, interação #2" in _verificar_com_falha()


def test_a_mac_overwritten_with_non_ascii_text_is_reported_not_a_crash(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)

    _sql(
        "UPDATE protocolo_interacao SET mac = 'é' || substr(mac, 2) WHERE protocolo_id = %s AND ordem = 2",
        [protocolo.pk],
    )

    assert _falha(protocolo).ordem == 2
    assert f"Protocolo {protocolo.numero}, interação #2" in _verificar_com_falha()


def test_the_chain_alone_cannot_tell_that_its_last_entries_were_deleted(atendente, supervisor):
    """A chain proves what it holds, not that nothing followed: a truncated timeline still verifies.
    The tail is covered outside the database (the receipt code the consumer keeps, exported daily
    heads); a whole protocol deleted shows in the day's numbering (below)."""
    protocolo = _ciclo_de_vida(atendente, supervisor)

    _sql("DELETE FROM protocolo_interacao WHERE protocolo_id = %s AND ordem >= 7", [protocolo.pk])

    assert [entrada.ordem for entrada in _cadeia(protocolo)] == list(range(1, 7))
    assert _falha(protocolo) is None


def test_a_protocol_left_without_any_entry_is_reported(atendente):
    protocolo = abrir(atendente=atendente)

    _sql("DELETE FROM protocolo_interacao WHERE protocolo_id = %s", [protocolo.pk])

    assert "não tem nenhuma entrada" in _verificar_com_falha()
    assert "não tem nenhuma entrada" in _verificar_com_falha("--protocolo", protocolo.numero)


# Deleted protocols: the gapless daily numbering ------------------------------------------------------


def _excluir_protocolo(protocolo):
    _sql("DELETE FROM protocolo_interacao WHERE protocolo_id = %s", [protocolo.pk])
    _sql("DELETE FROM protocolo_protocolo WHERE id = %s", [protocolo.pk])


@pytest.mark.parametrize(("excluido", "faltando"), [(1, "2"), (2, "3")], ids=["do-meio", "o-ultimo-do-dia"])
def test_a_deleted_protocol_shows_as_a_gap_in_that_days_numbering(atendente, excluido, faltando):
    protocolos = [abrir(atendente=atendente) for _ in range(3)]
    dia, _ = numeracao.decompor(protocolos[0].numero)

    _excluir_protocolo(protocolos[excluido])

    assert f"Numeração de {dia:%d/%m/%Y}: faltam 1 número(s) da sequência: {faltando}" in _verificar_com_falha()


def test_a_day_whose_every_protocol_was_deleted_is_reported(atendente):
    protocolo = abrir(atendente=atendente)
    dia, _ = numeracao.decompor(protocolo.numero)

    _excluir_protocolo(protocolo)

    assert f"Numeração de {dia:%d/%m/%Y}: faltam 1 número(s) da sequência: 1" in _verificar_com_falha()


def test_a_rolled_back_opening_leaves_no_gap(atendente):
    abrir(atendente=atendente)
    with pytest.raises(RuntimeError), transaction.atomic():
        abrir(atendente=atendente)
        raise RuntimeError("falha depois de numerar")
    abrir(atendente=atendente)

    assert "nenhuma adulteração encontrada" in _verificar()


# Key rotation -------------------------------------------------------------------------------------


def test_entries_signed_before_a_key_rotation_still_verify(settings, atendente):
    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {1: CHAVE_ANTIGA}
    protocolo = abrir(atendente=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Antes da troca de chave.", autor=atendente)

    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {1: CHAVE_ANTIGA, 2: CHAVE_NOVA}
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Depois da troca de chave.", autor=atendente)
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)

    assert [entrada.chave_versao for entrada in _cadeia(protocolo)] == [1, 1, 2, 2]
    assert _falha(protocolo) is None
    assert "nenhuma adulteração encontrada" in _verificar()


def test_verification_fails_clearly_once_a_used_key_version_is_removed(settings, atendente):
    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {1: CHAVE_ANTIGA}
    protocolo = abrir(atendente=atendente)
    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {1: CHAVE_ANTIGA, 2: CHAVE_NOVA}
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Depois da troca de chave.", autor=atendente)

    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {2: CHAVE_NOVA}

    falha = _falha(protocolo)
    assert (falha.ordem, falha.motivo) == (1, "Chave de versão 1 não configurada.")
    assert f"Protocolo {protocolo.numero}, interação #1" in _verificar_com_falha()


def test_an_entry_pointed_at_an_unknown_key_version_is_reported(atendente):
    protocolo = abrir(atendente=atendente)

    _sql("UPDATE protocolo_interacao SET chave_versao = 9 WHERE protocolo_id = %s", [protocolo.pk])

    assert _falha(protocolo).motivo == "Chave de versão 9 não configurada."


def test_a_key_used_under_another_version_number_does_not_verify(settings, atendente):
    """The version is part of what the MAC covers: relabelling entries does not move them to a key."""
    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {1: CHAVE_ANTIGA}
    protocolo = abrir(atendente=atendente)

    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {1: CHAVE_ANTIGA, 2: CHAVE_ANTIGA}
    _sql("UPDATE protocolo_interacao SET chave_versao = 2 WHERE protocolo_id = %s", [protocolo.pk])

    assert _falha(protocolo).ordem == 1


# LGPD redaction -----------------------------------------------------------------------------------


def test_a_redaction_named_by_a_later_anonymisation_entry_verifies(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)

    mac = _redigir(protocolo, MENSAGEM_DO_CONSUMIDOR)
    _anexar_anonimizacao(protocolo, {MENSAGEM_DO_CONSUMIDOR: mac})

    assert _cadeia(protocolo)[MENSAGEM_DO_CONSUMIDOR - 1].texto == "[dado pessoal removido]"
    assert _falha(protocolo) is None
    assert "nenhuma adulteração encontrada" in _verificar()


def test_the_chain_keeps_growing_after_a_redaction(atendente, supervisor):
    protocolo = abrir(atendente=atendente)
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="CPF 529.982.247-25", origem=Origem.CONSUMIDOR)
    _anexar_anonimizacao(protocolo, {2: _redigir(protocolo, 2)})

    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Obrigado pelo retorno.", autor=atendente)

    assert _falha(protocolo) is None


def test_a_redaction_without_an_anonymisation_record_is_reported(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)

    _redigir(protocolo, MENSAGEM_DO_CONSUMIDOR)

    assert _falha(protocolo).ordem == MENSAGEM_DO_CONSUMIDOR


def test_a_redaction_recorded_with_the_mac_of_other_content_is_reported(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)
    mac_de_outro_texto = _redigir(protocolo, MENSAGEM_DO_CONSUMIDOR, texto="[removido]")

    _redigir(protocolo, MENSAGEM_DO_CONSUMIDOR, texto="Desisto da reclamação.")
    _anexar_anonimizacao(protocolo, {MENSAGEM_DO_CONSUMIDOR: mac_de_outro_texto})

    assert _falha(protocolo).ordem == MENSAGEM_DO_CONSUMIDOR


def test_an_anonymisation_record_covers_only_the_entries_it_names(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)
    mac = _redigir(protocolo, MENSAGEM_DO_CONSUMIDOR)
    _redigir(protocolo, NOTA_INTERNA)

    _anexar_anonimizacao(protocolo, {MENSAGEM_DO_CONSUMIDOR: mac})

    assert _falha(protocolo).ordem == NOTA_INTERNA


@pytest.mark.parametrize(
    "detalhes",
    ['"texto"', '{"redigidas": ["5"]}', '{"redigidas": {"cinco": "abc"}}', '{"redigidas": {"5": 7}}'],
    ids=["nao-e-objeto", "lista", "ordem-nao-numerica", "mac-nao-texto"],
)
def test_a_forged_anonymisation_record_is_reported_not_a_crash(atendente, supervisor, detalhes):
    protocolo = _ciclo_de_vida(atendente, supervisor)
    _anexar_anonimizacao(protocolo, {MENSAGEM_DO_CONSUMIDOR: _redigir(protocolo, MENSAGEM_DO_CONSUMIDOR)})

    _sql(
        "UPDATE protocolo_interacao SET detalhes = %s::jsonb WHERE protocolo_id = %s AND tipo = 'anonimizacao'",
        [detalhes, protocolo.pk],
    )

    assert _falha(protocolo).ordem == MENSAGEM_DO_CONSUMIDOR
    assert f"Protocolo {protocolo.numero}, interação #{MENSAGEM_DO_CONSUMIDOR}" in _verificar_com_falha()


# Receipt codes ------------------------------------------------------------------------------------


def _cabeca(protocolo):
    return Interacao.objects.filter(protocolo_id=protocolo.pk).order_by("-ordem").first()


def _outro_caractere(caractere):
    if caractere.isdigit():
        return str((int(caractere) + 1) % 10)
    if caractere == "-":
        return "."
    base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return base32[(base32.index(caractere) + 1) % len(base32)]


@pytest.fixture
def comprovante(atendente, supervisor):
    """(protocolo, head entry, the receipt code issued at that head)."""
    protocolo = _ciclo_de_vida(atendente, supervisor)
    cabeca = _cabeca(protocolo)
    return protocolo, cabeca, integridade.codigo_comprovante(protocolo, cabeca)


def test_a_receipt_code_verifies_against_its_entry(comprovante):
    protocolo, cabeca, codigo = comprovante

    assert codigo.startswith(f"{protocolo.numero}-{cabeca.ordem}-1-")
    assert integridade.codigo_confere(codigo, protocolo, cabeca)


def test_a_receipt_code_typed_in_lowercase_with_spaces_around_verifies(comprovante):
    protocolo, cabeca, codigo = comprovante

    assert integridade.codigo_confere(f"  {codigo.lower()}\n", protocolo, cabeca)


def test_a_receipt_code_stays_valid_after_the_timeline_grew(comprovante, atendente):
    protocolo, cabeca, codigo = comprovante

    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Consumidor pediu segunda via.", autor=atendente)

    assert _cabeca(protocolo).ordem == cabeca.ordem + 1
    assert integridade.codigo_confere(codigo, protocolo, Interacao.objects.get(pk=cabeca.pk))
    assert not integridade.codigo_confere(codigo, protocolo, _cabeca(protocolo))


def test_a_receipt_code_altered_in_any_character_is_refused(comprovante):
    protocolo, cabeca, codigo = comprovante

    alterados = [codigo[:i] + _outro_caractere(c) + codigo[i + 1 :] for i, c in enumerate(codigo)]

    assert all(alterado != codigo for alterado in alterados)
    assert [alterado for alterado in alterados if integridade.codigo_confere(alterado, protocolo, cabeca)] == []


def test_a_receipt_code_is_refused_for_another_protocol(comprovante, atendente, supervisor):
    _, cabeca, codigo = comprovante
    outro = _ciclo_de_vida(atendente, supervisor)

    assert not integridade.codigo_confere(codigo, outro, _cabeca(outro))
    assert not integridade.codigo_confere(codigo.replace(cabeca.protocolo.numero, outro.numero), outro, _cabeca(outro))


def test_a_receipt_code_is_refused_at_another_position(comprovante):
    protocolo, cabeca, codigo = comprovante
    anterior = _cadeia(protocolo)[cabeca.ordem - 2]

    assert not integridade.codigo_confere(codigo, protocolo, anterior)
    assert not integridade.codigo_confere(
        codigo.replace(f"-{cabeca.ordem}-", f"-{anterior.ordem}-"), protocolo, anterior
    )


def test_a_receipt_code_of_an_unknown_key_version_is_refused(comprovante):
    protocolo, cabeca, codigo = comprovante
    numero, ordem, _, etiqueta = integridade.decompor_codigo(codigo)

    assert not integridade.codigo_confere(f"{numero}-{ordem}-9-{etiqueta}", protocolo, cabeca)


def test_a_receipt_code_issued_before_a_key_rotation_still_verifies(settings, comprovante):
    protocolo, cabeca, codigo = comprovante

    settings.PROTOCOLO_CHAVES_COMPROVANTE = {**settings.PROTOCOLO_CHAVES_COMPROVANTE, 2: CHAVE_NOVA}

    novo = integridade.codigo_comprovante(protocolo, cabeca)
    assert novo.startswith(f"{protocolo.numero}-{cabeca.ordem}-2-")
    assert integridade.codigo_confere(codigo, protocolo, cabeca)
    assert integridade.codigo_confere(novo, protocolo, cabeca)


def test_a_receipt_code_breaks_when_its_entry_is_tampered_with(comprovante):
    protocolo, cabeca, codigo = comprovante

    _sql("UPDATE protocolo_interacao SET mac = %s WHERE id = %s", ["0" * 64, cabeca.pk])

    assert not integridade.codigo_confere(codigo, protocolo, Interacao.objects.get(pk=cabeca.pk))


@pytest.mark.parametrize(
    "lixo",
    [
        "",
        "   ",
        "ABC",
        "2026-1-1",
        "2026112700000142-8-1-ABCDEFGHIJKLMNOP-X",
        "2026112700000142-8-1-ABCDEFGHIJKLMNO",
        "2026112700000142-oito-1-ABCDEFGHIJKLMNOP",
        "2026112700000142-8-um-ABCDEFGHIJKLMNOP",
        "2026112700000142-8--ABCDEFGHIJKLMNOP",
        "٢٠٢٦-8-1-ABCDEFGHIJKLMNOP",
        None,
    ],
)
def test_garbage_is_not_a_receipt_code(comprovante, lixo):
    protocolo, cabeca, _ = comprovante

    assert integridade.decompor_codigo(lixo) is None
    assert not integridade.codigo_confere(lixo, protocolo, cabeca)


@pytest.mark.parametrize("versao", ["um", "1a", "", "١"], ids=["palavra", "letra", "vazia", "algarismo-arabe"])
def test_a_receipt_code_whose_key_version_is_not_a_number_is_not_valid_on_the_public_page(client, comprovante, versao):
    protocolo, cabeca, codigo = comprovante
    numero, ordem, _, etiqueta = integridade.decompor_codigo(codigo)
    adulterado = f"{numero}-{ordem}-{versao}-{etiqueta}"

    resposta = client.get(f"/verificar/{adulterado}/")

    assert integridade.decompor_codigo(adulterado) is None
    assert not integridade.codigo_confere(adulterado, protocolo, cabeca)
    assert resposta.status_code == 404
    assert "Código não válido" in resposta.text
    assert "Comprovante autêntico" not in resposta.text


def test_a_receipt_code_under_another_number_or_position_is_refused_for_the_original_entry(comprovante, atendente):
    protocolo, cabeca, codigo = comprovante
    numero, ordem, versao, etiqueta = integridade.decompor_codigo(codigo)
    outro = abrir(atendente=atendente)

    assert not integridade.codigo_confere(f"{outro.numero}-{ordem}-{versao}-{etiqueta}", protocolo, cabeca)
    assert not integridade.codigo_confere(f"{numero}-{ordem - 1}-{versao}-{etiqueta}", protocolo, cabeca)


# Anonymisation records read defensively --------------------------------------------------------------

MALFORMADOS = [
    pytest.param("texto", id="nao-e-objeto"),
    pytest.param({"outra": "coisa"}, id="sem-redigidas"),
    pytest.param({"redigidas": ["5"]}, id="lista"),
    pytest.param({"redigidas": {"cinco": "abc"}}, id="ordem-nao-numerica"),
    pytest.param({"redigidas": {"٥": "abc"}}, id="ordem-em-algarismo-arabe"),
    pytest.param({"redigidas": {"5": 7}}, id="mac-nao-texto"),
]


@pytest.mark.parametrize("malformado", MALFORMADOS)
def test_a_malformed_anonymisation_record_followed_by_a_valid_one_still_verifies(atendente, supervisor, malformado):
    protocolo = _ciclo_de_vida(atendente, supervisor)
    mac = _redigir(protocolo, MENSAGEM_DO_CONSUMIDOR)

    _anexar_registro(protocolo, malformado)
    _anexar_anonimizacao(protocolo, {MENSAGEM_DO_CONSUMIDOR: mac})

    assert _falha(protocolo) is None


def test_a_malformed_pair_before_a_valid_one_in_the_same_record_does_not_hide_it(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)
    mac_da_nota = _redigir(protocolo, NOTA_INTERNA)
    mac_da_mensagem = _redigir(protocolo, MENSAGEM_DO_CONSUMIDOR)

    _anexar_registro(protocolo, {"redigidas": {"1": 7, str(NOTA_INTERNA): mac_da_nota, "x": "y"}})
    _anexar_anonimizacao(protocolo, {MENSAGEM_DO_CONSUMIDOR: mac_da_mensagem})

    assert _falha(protocolo) is None


# How a failure reads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("falha", "texto"),
    [
        (
            integridade.Falha("2026112700000142", 5, 31, "o conteúdo não confere com o MAC"),
            "Protocolo 2026112700000142, interação #5 (id 31): o conteúdo não confere com o MAC",
        ),
        (
            integridade.Falha("2026112700000142", 6, None, "falta a entrada (encontrada a #7 no lugar)"),
            "Protocolo 2026112700000142, interação #6: falta a entrada (encontrada a #7 no lugar)",
        ),
        (
            integridade.Falha("Numeração de 27/11/2026", 0, None, "faltam 1 número(s) da sequência: 2"),
            "Numeração de 27/11/2026: faltam 1 número(s) da sequência: 2",
        ),
    ],
    ids=["com-id", "sem-id", "sem-entrada"],
)
def test_a_failure_names_the_protocol_the_entry_and_its_id_when_there_is_one(falha, texto):
    assert str(falha) == texto


def test_a_deleted_entry_is_reported_with_the_position_found_in_its_place(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)

    _excluir_do_meio(protocolo)

    assert _falha(protocolo) == integridade.Falha(
        protocolo.numero, ESCALONAMENTO, None, f"falta a entrada (encontrada a #{ESCALONAMENTO + 1} no lugar)"
    )


def test_an_edited_entry_is_reported_with_its_id(atendente, supervisor):
    protocolo = _ciclo_de_vida(atendente, supervisor)

    _editar_texto(protocolo)

    alvo = _cadeia(protocolo)[MENSAGEM_DO_CONSUMIDOR - 1]
    assert _falha(protocolo) == integridade.Falha(
        protocolo.numero, MENSAGEM_DO_CONSUMIDOR, alvo.pk, "o conteúdo não confere com o MAC"
    )


def test_an_empty_chain_is_reported_at_its_first_position():
    assert integridade.verificar_cadeia("2026112700000142", []) == integridade.Falha(
        "2026112700000142", 1, None, "o protocolo não tem nenhuma entrada"
    )


# Known answers ------------------------------------------------------------------------------------
# Every MAC stored and every receipt a consumer keeps depends on these exact bytes: a change in the
# encoding would break every chain already written, and the code of every printed receipt. The values
# were computed once and are written here.

SP = ZoneInfo("America/Sao_Paulo")
NUMERO = "2026112700000142"


def _entrada_acentuada():
    return Interacao(
        ordem=2,
        tipo=Tipo.MENSAGEM_CONSUMIDOR,
        origem=Origem.CONSUMIDOR,
        publica=True,
        texto="Não reconheço a cobrança de R$ 59,90 — já liguei três vezes.",
        autor_id=None,
        criada_em=datetime.datetime(2026, 11, 27, 10, 30, 15, 123456, tzinfo=SP),
        situacao_anterior="",
        situacao_nova="",
        nivel_anterior=None,
        nivel_novo=None,
        detalhes={"observação": "ligação às 9h"},
        chave_versao=1,
    )


def test_the_canonical_content_is_compact_sorted_utf8_json_with_the_utc_time_to_the_microsecond():
    esperado = (
        '{"autor":null,"chave_versao":1,"criada_em":"2026-11-27T13:30:15.123456+00:00",'
        '"detalhes":{"observação":"ligação às 9h"},"nivel_anterior":null,"nivel_novo":null,"ordem":2,'
        '"origem":"consumidor","protocolo":"2026112700000142","publica":true,"situacao_anterior":"",'
        '"situacao_nova":"","texto":"Não reconheço a cobrança de R$ 59,90 — já liguei três vezes.",'
        '"tipo":"mensagem_consumidor"}'
    )

    assert integridade.conteudo_canonico(_entrada_acentuada(), NUMERO) == esperado.encode()


def test_the_mac_of_an_entry_with_accented_text_is_the_one_computed_when_it_was_written(settings):
    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {1: bytes.fromhex("a1" * 32)}

    mac = integridade.calcular_mac(_entrada_acentuada(), NUMERO, "ab" * 32)

    assert mac == "ef05b5f6cfaf345616a839ef7db252d70e9cd8816786b3960ab90bc3053d1ec8"


def test_a_receipt_code_is_the_one_computed_when_it_was_issued(settings):
    settings.PROTOCOLO_CHAVES_COMPROVANTE = {1: bytes.fromhex("b2" * 32)}
    protocolo = Protocolo(numero=NUMERO, aberto_em=datetime.datetime(2026, 11, 27, 10, 0, 0, 5, tzinfo=SP))
    cabeca = Interacao(ordem=8, mac="cd" * 32)

    assert integridade.codigo_comprovante(protocolo, cabeca) == "2026112700000142-8-1-NZJCGMOLBYDFCJ26"
    assert integridade.codigo_confere("2026112700000142-8-1-NZJCGMOLBYDFCJ26", protocolo, cabeca)


def test_an_entry_under_a_removed_key_is_reported_with_its_id(settings, atendente):
    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {1: CHAVE_ANTIGA}
    protocolo = abrir(atendente=atendente)

    settings.PROTOCOLO_CHAVES_INTEGRIDADE = {2: CHAVE_NOVA}

    assert _falha(protocolo) == integridade.Falha(
        protocolo.numero, 1, _cadeia(protocolo)[0].pk, "Chave de versão 1 não configurada."
    )


def test_only_an_anonymisation_entry_can_name_a_redaction(atendente, supervisor):
    """Any other entry's detalhes are the app's own data: one naming `redigidas` covers nothing."""
    protocolo = _ciclo_de_vida(atendente, supervisor)
    mac = _redigir(protocolo, MENSAGEM_DO_CONSUMIDOR)

    _anexar_registro(
        protocolo,
        {"redigidas": {str(MENSAGEM_DO_CONSUMIDOR): mac}},
        tipo=Tipo.NOTA_INTERNA,
        texto="Nota com um registro de anonimização nos detalhes.",
    )

    assert _falha(protocolo).ordem == MENSAGEM_DO_CONSUMIDOR
