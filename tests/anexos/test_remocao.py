"""Removal by legal order: a supervisor's power behind the second factor; the file leaves the storage
and the entries lose its name, the chain records the order and still verifies; nothing of another
protocol is touched."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from protocolo import anexos, integridade, lgpd, relogio, remocao, services
from protocolo.exceptions import PermissaoNegada
from protocolo.models import Anexo, Interacao
from tests.factories import ConsumidorFactory, abrir
from tests.segundo_fator import Cliente

from . import arquivos

pytestmark = pytest.mark.django_db

Origem = Interacao.Origem
ORDEM = "0001234-56.2026.8.26.0100"


def _duas_vezes(protocolo):
    """The same photo sent twice (one object) and another file."""
    primeira = services.anexar(
        protocolo=protocolo,
        arquivos=[ContentFile(arquivos.jpeg_com_gps(), name="ilicita.jpg"), ContentFile(b"ok", name="ok.txt")],
        origem=Origem.CONSUMIDOR,
    )
    segunda = services.anexar(
        protocolo=protocolo,
        arquivos=[ContentFile(arquivos.jpeg_com_gps(), name="de novo.jpg")],
        origem=Origem.CONSUMIDOR,
    )
    return primeira, segunda


def test_the_supervisor_removes_a_file_and_every_copy_in_its_protocol(
    atendente, supervisor, django_capture_on_commit_callbacks
):
    protocolo = abrir(atendente=atendente)
    outro = abrir(atendente=atendente)
    primeira, segunda = _duas_vezes(protocolo)
    _duas_vezes(outro)
    alvo = Anexo.objects.get(interacao=primeira, posicao=1)

    with django_capture_on_commit_callbacks(execute=True):
        registro = remocao.anexo_remover_por_ordem_judicial(
            anexo=alvo, motivo="Conteúdo ilícito.", referencia=ORDEM, autor=supervisor
        )

    assert not anexos.armazenamento().exists(alvo.chave)
    assert all(anexos.armazenamento().exists(a.chave) for a in Anexo.objects.filter(protocolo=outro))
    removidos = Anexo.objects.filter(protocolo=protocolo, remocao="ordem_judicial")
    assert {(a.interacao_id, a.posicao) for a in removidos} == {(primeira.pk, 1), (segunda.pk, 1)}
    assert Anexo.objects.get(interacao=primeira, posicao=2).removido_em is None
    assert (registro.tipo, registro.publica, registro.autor) == (Interacao.Tipo.REMOCAO_ANEXO, False, supervisor)
    assert registro.detalhes["ordem_judicial"] == ORDEM and registro.detalhes["motivo"] == "Conteúdo ilícito."
    primeira.refresh_from_db()
    foto, texto = primeira.detalhes["anexos"]
    assert foto["nome"] == remocao.NOME_REMOVIDO and foto["removido"] == "ordem_judicial"
    assert foto["sha256"] == alvo.sha256 and texto["nome"] == "ok.txt" and "removido" not in texto
    assert integridade.verificar_cadeia(protocolo.numero, protocolo.interacoes.order_by("ordem")) is None
    saida = StringIO()
    call_command("verificar_integridade", stdout=saida, stderr=StringIO())
    assert "nenhuma adulteração" in saida.getvalue()


def test_an_attendant_may_not(atendente):
    protocolo = abrir(atendente=atendente)
    primeira, _ = _duas_vezes(protocolo)
    with pytest.raises(PermissaoNegada, match="Só supervisores"):
        remocao.anexo_remover_por_ordem_judicial(
            anexo=Anexo.objects.get(interacao=primeira, posicao=1), motivo="x", referencia=ORDEM, autor=atendente
        )


def test_a_forged_rewrite_without_the_record_breaks_the_chain(atendente):
    import pgtrigger

    protocolo = abrir(atendente=atendente)
    primeira, _ = _duas_vezes(protocolo)
    detalhes = remocao._reescrever(primeira.detalhes, {1})
    with pgtrigger.ignore(remocao.GATILHO):
        Interacao._base_manager.filter(pk=primeira.pk).update(detalhes=detalhes)
    assert (
        integridade.verificar_cadeia(protocolo.numero, protocolo.interacoes.order_by("ordem")).ordem == primeira.ordem
    )


def test_anonymisation_after_a_removal_still_verifies(atendente, supervisor, django_capture_on_commit_callbacks):
    with relogio.em(relogio.agora() - lgpd.retencao() * 2):
        titular = ConsumidorFactory()
        titular.criado_em = relogio.agora()
        titular.save(update_fields=["criado_em"])
        protocolo = abrir(atendente=atendente, consumidor=titular)
        primeira, _ = _duas_vezes(protocolo)
        with django_capture_on_commit_callbacks(execute=True):
            remocao.anexo_remover_por_ordem_judicial(
                anexo=Anexo.objects.get(interacao=primeira, posicao=1),
                motivo="Ilícito.",
                referencia=ORDEM,
                autor=supervisor,
            )
        services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)
        services.protocolo_encerrar(protocolo=protocolo, origem=Origem.CONSUMIDOR, avaliacao=5)
    with django_capture_on_commit_callbacks(execute=True):
        lgpd.anonimizar(titular)
    assert integridade.verificar_cadeia(protocolo.numero, protocolo.interacoes.order_by("ordem")) is None
    assert not Anexo.objects.filter(protocolo=protocolo, removido_em__isnull=True).exists()


def test_the_page_asks_an_unverified_supervisor_for_the_code_first(atendente, supervisor):
    protocolo = abrir(atendente=atendente)
    primeira, _ = _duas_vezes(protocolo)
    cliente = Cliente()
    cliente.force_login(supervisor, verificado=False)
    endereco = reverse("atendimento:remover_anexo", args=[protocolo.numero, primeira.ordem, 1])
    resposta = cliente.post(endereco, {"referencia": ORDEM, "motivo": "Ilícito."})
    assert resposta.status_code == 302 and resposta.url.startswith("/atendimento/verificacao/")
    assert not Anexo.objects.filter(removido_em__isnull=False).exists()


def test_the_form_removes_and_the_consumer_sees_only_that_it_was_removed(
    atendente, supervisor, visitante, protocolo, django_capture_on_commit_callbacks
):
    primeira, _ = _duas_vezes(protocolo)
    cliente = Cliente()
    cliente.force_login(supervisor)
    endereco = reverse("atendimento:remover_anexo", args=[protocolo.numero, primeira.ordem, 1])
    assert "ilicita.jpg" in cliente.get(endereco).text
    recusa = cliente.post(endereco, {"referencia": "", "motivo": "Texto digitado."})
    assert recusa.status_code == 200 and "Informe o número da ordem judicial." in recusa.text
    assert "Texto digitado." in recusa.text
    with django_capture_on_commit_callbacks(execute=True):
        resposta = cliente.post(endereco, {"referencia": ORDEM, "motivo": "Ilícito."})
    assert resposta.status_code == 302
    pagina = visitante.get(reverse("consumidor:protocolo", args=[protocolo.numero])).text
    assert "ilicita.jpg" not in pagina and "arquivo removido por ordem judicial" in pagina
    assert ORDEM not in pagina
    baixar = visitante.get(reverse("consumidor:anexo", args=[protocolo.numero, primeira.ordem, 1]))
    assert baixar.status_code == 404
