import pytest
from django.test import Client

from consumidor import acesso
from protocolo import outbox, services
from protocolo.models import Mensagem
from tests.factories import ConsumidorFactory, abrir
from tests.hostil import inerte
from tests.segundo_fator import Cliente


@pytest.fixture(autouse=True)
def sem_limites(settings, limites_zerados):
    """Hundreds of posts per test: the portal's rate limits would answer 429 long before the corpus ends."""
    settings.PROTOCOLO_LIMITES = {nome: (10**9, segundos) for nome, (_, segundos) in settings.PROTOCOLO_LIMITES.items()}


@pytest.fixture
def consumidor(db):
    return ConsumidorFactory(cpf="52998224725", nome="Maria Aparecida Souza", email="maria@exemplo.com.br")


@pytest.fixture
def protocolo(consumidor, atendente):
    return abrir(consumidor=consumidor, atendente=atendente, objeto="A fatura de outubro veio em dobro.")


@pytest.fixture
def visitante(protocolo):
    """A browser holding access to `protocolo`, as after a successful lookup."""
    cliente = Client(raise_request_exception=False)
    sessao = cliente.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    return cliente


@pytest.fixture
def cliente_atendente(atendente):
    cliente = Cliente(raise_request_exception=False)
    cliente.force_login(atendente)
    return cliente


@pytest.fixture
def cliente_supervisor(supervisor):
    """Logged in with the admin's second factor given (tests/segundo_fator.py)."""
    cliente = Cliente(raise_request_exception=False)
    cliente.force_login(supervisor)
    return cliente


@pytest.fixture
def vitrines(visitante, cliente_atendente, cliente_supervisor, mailoutbox):
    """Every place that shows a protocol's text, checked for one typed value."""
    return Vitrines(visitante, cliente_atendente, cliente_supervisor, mailoutbox)


class Vitrines:
    def __init__(self, visitante, atendente, supervisor, caixa):
        self.visitante, self.atendente, self.supervisor, self.caixa = visitante, atendente, supervisor, caixa

    def _html(self, cliente, url, valor, *, mostra=False, params=None):
        resposta = cliente.get(url, params or {})
        assert resposta.status_code == 200, (url, resposta.status_code)
        inerte.html_inerte(resposta.text, valor, mostra=mostra)
        return resposta

    def portal(self, protocolo, valor, *, mostra=True, cliente=None):
        """The consumer's status page, history, its JSON and the receipt."""
        cliente = cliente or self.visitante
        numero = protocolo.numero
        self._html(cliente, f"/protocolo/{numero}/", valor, mostra=mostra)
        self._html(cliente, f"/protocolo/{numero}/historico/", valor, mostra=mostra)
        self._html(cliente, f"/protocolo/{numero}/comprovante/", valor)
        resposta = cliente.get(f"/protocolo/{numero}/historico.json")
        assert resposta.status_code == 200
        inerte.json_devolve(resposta.content, valor if mostra else None)

    def retaguarda(self, protocolo, valor, *, mostra=True, nome=None):
        """The back-office's protocol page, its queue and the consumer search."""
        self._html(self.atendente, f"/atendimento/protocolos/{protocolo.numero}/", valor, mostra=mostra)
        self._html(self.atendente, "/atendimento/", valor, params={"situacao": "", "responsavel": ""})
        if protocolo.consumidor_id and protocolo.consumidor.cpf:
            self._html(
                self.atendente,
                "/atendimento/consumidores/",
                nome,
                mostra=bool(nome),
                params={"q": protocolo.consumidor.cpf},
            )

    def admin(self, protocolo, valor, *, mostra=True, coluna=None, valor_csv=None):
        """The admin's lists, change pages, timeline, outbox, dashboard and the CSV export."""
        self._html(self.supervisor, "/admin/protocolo/protocolo/", valor)
        self._html(self.supervisor, f"/admin/protocolo/protocolo/{protocolo.pk}/change/", valor, mostra=mostra)
        self._html(self.supervisor, "/admin/protocolo/interacao/", valor, params={"protocolo__id__exact": protocolo.pk})
        self._html(self.supervisor, "/admin/protocolo/mensagem/", valor)
        self._html(self.supervisor, "/admin/supervisao/", valor)
        if protocolo.consumidor_id:
            self._html(self.supervisor, "/admin/protocolo/consumidor/", valor)
            self._html(self.supervisor, f"/admin/protocolo/consumidor/{protocolo.consumidor_id}/change/", valor)
        resposta = self.supervisor.get("/admin/protocolo/protocolo/exportar/")
        assert resposta.status_code == 200
        linhas = inerte.linhas_csv(b"".join(resposta.streaming_content))
        inerte.csv_neutro(linhas, coluna=coluna, valor=valor_csv if valor_csv is not None else valor)

    def mensagens(self, protocolo, valor=None):
        """The outbox rows and the e-mails they become: the text as typed, headers without breaks.
        The protocol's e-mails are confirmed first, so the messages held for them go out too."""
        for contato in protocolo.contatos.filter(confirmado_em__isnull=True):
            services.contato_confirmar(contato=contato)
        mensagens = list(Mensagem.objects.filter(protocolo=protocolo))
        for mensagem in mensagens:
            assert "\r" not in mensagem.assunto and "\n" not in mensagem.assunto
            outbox.entregar(mensagem.pk)
            mensagem.refresh_from_db()
            assert mensagem.enviada, mensagem.ultimo_erro
        for email in self.caixa:
            inerte.email_limpo(email)
        if valor is not None:
            assert any(valor in m.corpo for m in mensagens), "o texto não está em nenhuma mensagem"
            assert any(valor in e.body for e in self.caixa), "o texto não está em nenhum e-mail"
        return mensagens
