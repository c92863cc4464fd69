"""Binding a contact to the consumer (docs/seguranca.md, "Contatos"): only after an identity check,
recorded, closing the previous one and warning whoever was bound before."""

import datetime

import pytest

from protocolo import lgpd, services
from protocolo.exceptions import DadosInvalidos, PermissaoNegada
from protocolo.models import Contato, Mensagem
from tests.factories import ConsumidorFactory, UsuarioFactory, abrir

pytestmark = pytest.mark.django_db


def _vincular(consumidor, protocolo, autor, valor="novo@exemplo.com.br", verificacao="documento_presencial", **extra):
    return services.consumidor_vincular_contato(
        consumidor=consumidor,
        tipo="email",
        valor=valor,
        origem=extra.pop("origem", "atendimento"),
        verificacao=verificacao,
        autor=autor,
        protocolo=protocolo,
        **extra,
    )


def test_binding_after_the_check_serves_every_protocol_and_is_on_the_timeline(atendente):
    consumidor = ConsumidorFactory(email="", telefone="")
    primeiro = abrir(consumidor=consumidor, atendente=atendente)
    outro = abrir(consumidor=consumidor, atendente=atendente)

    contato = _vincular(consumidor, primeiro, atendente, valor="  Novo@Exemplo.com.br ")

    assert (contato.valor, contato.vinculado_por, contato.verificacao) == (
        "novo@exemplo.com.br",
        atendente,
        "documento_presencial",
    )
    assert [c.valor for c in services.destinatarios(outro)] == ["novo@exemplo.com.br"]
    entrada = primeiro.interacoes.get(tipo="vinculacao_contato")
    assert (entrada.autor, entrada.detalhes["verificacao"], entrada.publica) == (
        atendente,
        "documento_presencial",
        False,
    )
    assert "novo@exemplo.com.br" not in entrada.texto
    assert services.protocolo_identidade_confirmada(primeiro)
    assert not services.protocolo_identidade_confirmada(outro)


@pytest.mark.parametrize("verificacao", ["", "nome_e_nascimento", "nome_da_mae", "oidc:https://id.exemplo"])
def test_binding_refuses_a_check_not_on_the_list(atendente, verificacao):
    consumidor = ConsumidorFactory(email="", telefone="")
    protocolo = abrir(consumidor=consumidor, atendente=atendente)

    with pytest.raises(DadosInvalidos, match="verificação de identidade"):
        _vincular(consumidor, protocolo, atendente, verificacao=verificacao)
    assert not Contato.objects.exists()


def test_binding_by_the_back_office_needs_an_attendant(db):
    usuario_sem_grupo = UsuarioFactory()
    consumidor = ConsumidorFactory(email="", telefone="")
    protocolo = abrir(consumidor=consumidor)

    with pytest.raises(PermissaoNegada):
        _vincular(consumidor, protocolo, usuario_sem_grupo)


def test_a_rebinding_closes_the_previous_one_and_warns_it(atendente):
    consumidor = ConsumidorFactory(email="antigo@exemplo.com.br", telefone="")
    protocolo = abrir(consumidor=consumidor, atendente=atendente)
    antigo = Contato.objects.get(valor="antigo@exemplo.com.br")

    novo = _vincular(consumidor, protocolo, atendente)

    antigo.refresh_from_db()
    assert antigo.encerrado_em is not None and Contato.objects.filter(pk=antigo.pk).exists()
    aviso = Mensagem.objects.get(destinatario="antigo@exemplo.com.br")
    assert "n…@exemplo.com.br" in aviso.corpo and "novo@exemplo.com.br" not in aviso.corpo
    assert [c.pk for c in services.destinatarios(protocolo)] == [novo.pk]


def test_an_openid_sign_in_binds_with_its_issuer(db):
    consumidor = ConsumidorFactory(email="", telefone="")
    protocolo = abrir(consumidor=consumidor)

    contato = _vincular(consumidor, protocolo, None, origem="oidc", verificacao="oidc:https://id.exemplo.com.br")

    assert contato.vinculado and contato.origem == "oidc" and contato.vinculado_por is None
    assert services.protocolo_identidade_confirmada(protocolo)


def test_typing_in_the_back_office_makes_a_contact_of_that_protocol_only(atendente):
    consumidor = ConsumidorFactory(email="", telefone="")
    anterior = abrir(consumidor=consumidor, atendente=atendente)
    protocolo = abrir(atendente=atendente)

    services.protocolo_identificar_por_cpf(
        protocolo=protocolo, cpf=consumidor.cpf, email="ana@exemplo.com.br", telefone="(11) 98888-7777", autor=atendente
    )

    contatos = Contato.objects.order_by("tipo")
    assert [(c.tipo, c.valor, c.protocolo, c.consumidor, c.origem) for c in contatos] == [
        ("email", "ana@exemplo.com.br", protocolo, None, "atendimento"),
        ("telefone", "+5511988887777", protocolo, None, "atendimento"),
    ]
    assert services.destinatarios(anterior) == []


def test_anonymisation_empties_and_closes_every_contact(atendente, supervisor, time_machine):
    time_machine.move_to(datetime.datetime(2015, 1, 5, 12, tzinfo=datetime.UTC), tick=False)
    consumidor = ConsumidorFactory(email="vinculado@exemplo.com.br", telefone="")
    protocolo = abrir(consumidor=consumidor, atendente=atendente)
    services.contato_do_protocolo(protocolo=protocolo, tipo="email", valor="digitado@exemplo.com.br", origem="portal")
    services.protocolo_cancelar(protocolo=protocolo, motivo="Engano.", autor=supervisor)
    time_machine.move_to(datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC), tick=False)

    lgpd.anonimizar(consumidor)

    assert Contato.objects.count() == 2
    assert set(Contato.objects.values_list("valor", flat=True)) == {""}
    assert not Contato.objects.filter(encerrado_em=None).exists()
