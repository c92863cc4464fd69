import datetime

import pytest
from django.urls import reverse

from protocolo import numeracao, outbox, services
from protocolo.models import AcessoDadoPessoal, Interacao, Mensagem, Protocolo, RespostaPronta, Situacao
from protocolo.services import respostas
from tests.factories import AtendenteFactory, ConsumidorFactory, abrir, categoria, email_de

Tipo = Interacao.Tipo


def url(protocolo, acao=None):
    if acao is None:
        return reverse("atendimento:protocolo", args=[protocolo.numero])
    return reverse(f"atendimento:{acao}", args=[protocolo.numero])


def ultima(protocolo):
    return protocolo.interacoes.order_by("-ordem").first()


@pytest.fixture
def protocolo(atendente):
    return abrir(atendente=atendente, consumidor=ConsumidorFactory(nome="Maria Souza", email="maria@exemplo.com.br"))


# The page -----------------------------------------------------------------------------------------


def test_the_page_shows_the_number_the_consumer_masked_and_the_whole_timeline(cliente_atendente, atendente, protocolo):
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Nota só nossa.", autor=atendente)

    resposta = cliente_atendente.get(url(protocolo))

    assert resposta.status_code == 200
    assert protocolo.numero_formatado in resposta.text
    assert f'data-copiar="{protocolo.numero}"' in resposta.text
    assert protocolo.consumidor.cpf_mascarado in resposta.text
    assert protocolo.consumidor.cpf not in resposta.text
    assert "Nota só nossa." in resposta.text
    assert [i.tipo for i in resposta.context["linha_do_tempo"]] == [Tipo.ABERTURA, Tipo.NOTA_INTERNA]
    assert "interna" in resposta.text and "pública" in resposta.text


def test_an_impossible_or_missing_number_is_a_404(cliente_atendente, django_assert_num_queries, protocolo):
    outro_dia = protocolo.numero[:-2] + ("00" if protocolo.numero[-2:] != "00" else "01")
    assert cliente_atendente.get("/atendimento/protocolos/123/").status_code == 404
    assert cliente_atendente.get(f"/atendimento/protocolos/{outro_dia}/").status_code == 404
    # session, user, user permissions, group permissions: no lookup for an impossible number
    with django_assert_num_queries(4):
        assert cliente_atendente.post(url(protocolo, "escalar").replace(protocolo.numero, "1" * 16)).status_code == 404


def test_the_number_is_found_however_it_is_typed(cliente_atendente, protocolo):
    formatado = protocolo.numero_formatado.replace(" ", "-")

    assert cliente_atendente.get(f"/atendimento/protocolos/{formatado}/").status_code == 200


# session, user, user permissions, group permissions, the user's groups (whether they work the
# protocol's nível), the protocol (with consumer, categoria,
# responsável, original), the timeline (with authors), the contacts (with who bound them), the
# outbox messages, the categorias, the consumer's other open protocols, the canned answers (with
# their categorias; none more when one is picked); a supervisor also reads the
# list of attendants to assign to, and the second factor's device their session was verified with.
@pytest.mark.parametrize("entradas", [0, 40])
@pytest.mark.parametrize(("papel", "consultas"), [("atendente", 12), ("supervisor", 14)])
@pytest.mark.parametrize("escolhida", [False, True])
def test_its_query_count_does_not_grow_with_the_timeline(
    clientes, django_assert_num_queries, entradas, papel, consultas, escolhida
):
    autor = AtendenteFactory()
    protocolo = abrir(atendente=autor, consumidor=ConsumidorFactory())
    abrir(consumidor=protocolo.consumidor)
    for n in range(entradas):
        services.protocolo_registrar_interacao(protocolo=protocolo, texto=f"Entrada {n}", autor=autor, publica=n % 2)
    pronta = respostas.resposta_salvar(resposta=RespostaPronta(titulo="Geral", texto="Olá, {nome}."), autor=autor)
    with django_assert_num_queries(consultas):
        resposta = clientes[papel].get(url(protocolo), {"resposta": pronta.pk} if escolhida else {})
    assert resposta.status_code == 200


# Starting: the number at once ---------------------------------------------------------------------


def test_iniciar_opens_a_protocol_with_me_responsible_and_shows_its_number(cliente_atendente, atendente):
    resposta = cliente_atendente.post(reverse("atendimento:iniciar"), {"canal": "telefone"}, follow=True)

    protocolo = Protocolo.objects.get()
    assert resposta.redirect_chain == [(url(protocolo), 302)]
    assert protocolo.responsavel == atendente
    assert protocolo.canal == "telefone"
    assert protocolo.numero_formatado in resposta.text
    assert "Informe o número ao consumidor" in resposta.text


def test_iniciar_refuses_an_unknown_channel(cliente_atendente):
    resposta = cliente_atendente.post(reverse("atendimento:iniciar"), {"canal": "pombo"}, follow=True)

    assert not Protocolo.objects.exists()
    assert "Escolha o canal" in resposta.text


# Identifying the consumer -------------------------------------------------------------------------


def test_identifying_a_new_cpf_creates_the_consumer(cliente_atendente, atendente):
    protocolo = abrir(atendente=atendente, categoria_codigo=None)

    resposta = cliente_atendente.post(
        url(protocolo, "identificar"),
        {
            "identificar-versao": protocolo.versao,
            "identificar-cpf": "529.982.247-25",
            "identificar-nome": "José da Silva",
            "identificar-email": "jose@exemplo.com.br",
            "identificar-telefone": "11 98888-7777",
        },
        follow=True,
    )

    protocolo.refresh_from_db()
    assert protocolo.consumidor.cpf == "52998224725"
    assert protocolo.consumidor.nome == "José da Silva"
    assert ultima(protocolo).tipo == Tipo.IDENTIFICACAO
    assert ultima(protocolo).autor == atendente
    assert "cadastrado e identificado" in resposta.text


def test_a_caller_who_gives_no_cpf_is_identified_by_name_and_phone(cliente_atendente, atendente):
    protocolo = abrir(atendente=atendente, categoria_codigo=None)

    resposta = cliente_atendente.post(
        url(protocolo, "identificar"),
        {
            "identificar-versao": protocolo.versao,
            "identificar-nome": "Rita Moura",
            "identificar-telefone": "11 97777-0000",
        },
        follow=True,
    )

    protocolo.refresh_from_db()
    assert (protocolo.consumidor.nome, protocolo.consumidor.cpf) == ("Rita Moura", None)
    assert [(c.tipo, c.valor, c.consumidor) for c in protocolo.contatos.all()] == [("telefone", "+5511977770000", None)]
    assert ultima(protocolo).tipo == Tipo.IDENTIFICACAO
    assert "cadastrado e identificado" in resposta.text


def test_identifying_with_nothing_at_all_says_what_is_missing_and_changes_nothing(cliente_atendente, atendente):
    protocolo = abrir(atendente=atendente, categoria_codigo=None)

    resposta = cliente_atendente.post(url(protocolo, "identificar"), {"identificar-versao": protocolo.versao})

    assert resposta.status_code == 200
    assert "Informe o CPF ou, sem ele, o nome e um contato do consumidor." in resposta.text
    protocolo.refresh_from_db()
    assert protocolo.consumidor is None


def test_an_existing_cpf_brings_the_consumer_and_their_open_protocols(cliente_atendente, atendente):
    consumidor = ConsumidorFactory(nome="Ana Lima", email="ana@exemplo.com.br")
    anterior = abrir(consumidor=consumidor)
    protocolo = abrir(atendente=atendente, categoria_codigo=None)

    resposta = cliente_atendente.post(
        url(protocolo, "identificar"),
        {
            "identificar-versao": protocolo.versao,
            "identificar-cpf": consumidor.cpf,
            "identificar-nome": "Outro Nome",
            "identificar-email": "outro@exemplo.com.br",
        },
        follow=True,
    )

    consumidor.refresh_from_db()
    assert consumidor.nome == "Ana Lima" and email_de(consumidor) == "ana@exemplo.com.br"
    assert [c.valor for c in protocolo.contatos.filter(tipo="email")] == ["outro@exemplo.com.br"]
    assert "já cadastrado" in resposta.text
    assert resposta.context["outros_em_aberto"] == [anterior]
    assert "Mesma demanda: encerrar este como duplicado" in resposta.text


def test_an_invalid_cpf_is_refused_in_portuguese_and_the_text_stays(cliente_atendente, protocolo):
    resposta = cliente_atendente.post(
        url(protocolo, "identificar"),
        {"identificar-versao": protocolo.versao, "identificar-cpf": "111.111.111-11", "identificar-nome": "Fulano"},
    )

    assert resposta.status_code == 200
    assert "CPF inválido" in resposta.text
    assert 'value="Fulano"' in resposta.text


# Categoria, objeto, interactions ------------------------------------------------------------------


def test_setting_the_categoria_shows_the_deadline(cliente_atendente, atendente):
    protocolo = abrir(atendente=atendente, categoria_codigo=None)
    lgpd = categoria("lgpd")

    resposta = cliente_atendente.post(
        url(protocolo, "categoria"),
        {"categoria-versao": protocolo.versao, "categoria-categoria": lgpd.pk},
        follow=True,
    )

    protocolo.refresh_from_db()
    assert protocolo.categoria == lgpd
    assert f"Prazo de resposta: {protocolo.prazo:%d/%m/%Y}" in resposta.text


def test_the_objeto_is_recorded_and_never_conflicts(cliente_atendente, protocolo):
    resposta = cliente_atendente.post(url(protocolo, "objeto"), {"objeto-objeto": "Quer cancelar o plano."})

    assert resposta.status_code == 302
    protocolo.refresh_from_db()
    assert protocolo.objeto == "Quer cancelar o plano."


def test_a_public_interaction_goes_to_the_consumer_through_the_outbox(
    cliente_atendente, atendente, protocolo, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resposta = cliente_atendente.post(
            url(protocolo, "interacao"), {"interacao-tipo": "publica", "interacao-texto": "Já estornamos."}
        )

    assert resposta.status_code == 302
    entrada = ultima(protocolo)
    assert (entrada.tipo, entrada.publica, entrada.autor) == (Tipo.MENSAGEM, True, atendente)
    mensagem = Mensagem.objects.get(protocolo=protocolo)
    assert mensagem.destinatario == email_de(protocolo.consumidor)
    assert "Já estornamos." in mensagem.corpo
    assert mensagem.enviada and len(mailoutbox) == 1


def test_an_internal_note_is_not_sent(cliente_atendente, protocolo):
    cliente_atendente.post(url(protocolo, "interacao"), {"interacao-tipo": "interna", "interacao-texto": "Só nossa."})

    entrada = ultima(protocolo)
    assert (entrada.tipo, entrada.publica) == (Tipo.NOTA_INTERNA, False)
    assert not Mensagem.objects.exists()


def test_an_interaction_on_a_stale_page_is_still_recorded(cliente_atendente, atendente, protocolo):
    services.protocolo_escalar(protocolo=protocolo, motivo="Outro mexeu.", autor=AtendenteFactory())

    resposta = cliente_atendente.post(
        url(protocolo, "interacao"), {"interacao-tipo": "interna", "interacao-texto": "Anotado."}
    )

    assert resposta.status_code == 302
    assert ultima(protocolo).texto == "Anotado."


# Situação, responsável, escalation, resolution ----------------------------------------------------


def test_only_the_moves_the_state_machine_allows_are_offered(cliente_atendente, protocolo):
    resposta = cliente_atendente.get(url(protocolo))

    oferecidas = [valor for valor, _ in resposta.context["f"]["situacao"].fields["situacao"].choices]
    assert oferecidas == protocolo.situacoes_possiveis("mudar")
    assert Situacao.RESOLVIDO not in oferecidas


def test_changing_the_situacao_records_old_new_and_author(cliente_atendente, atendente, protocolo):
    cliente_atendente.post(
        url(protocolo, "situacao"),
        {"situacao-versao": protocolo.versao, "situacao-situacao": Situacao.AGUARDANDO_CONSUMIDOR},
    )

    entrada = ultima(protocolo)
    assert (entrada.situacao_anterior, entrada.situacao_nova, entrada.autor) == (
        Situacao.ABERTO,
        Situacao.AGUARDANDO_CONSUMIDOR,
        atendente,
    )


def test_a_move_the_state_machine_forbids_is_refused(cliente_atendente, protocolo):
    resposta = cliente_atendente.post(
        url(protocolo, "situacao"), {"situacao-versao": protocolo.versao, "situacao-situacao": Situacao.ENCERRADO}
    )

    assert resposta.status_code == 200
    assert resposta.context["f"]["situacao"].errors
    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.ABERTO


def test_an_attendant_takes_an_unassigned_protocol(cliente_atendente, atendente):
    protocolo = abrir()

    cliente_atendente.post(url(protocolo, "assumir"), {"assumir-versao": protocolo.versao})

    protocolo.refresh_from_db()
    assert protocolo.responsavel == atendente


def test_taking_a_colleagues_protocol_is_refused_with_a_message(cliente_atendente):
    protocolo = abrir(atendente=AtendenteFactory())

    resposta = cliente_atendente.post(url(protocolo, "assumir"), {"assumir-versao": protocolo.versao}, follow=True)

    assert "peça a um supervisor" in resposta.text


def test_a_supervisor_assigns_to_someone_else(cliente_supervisor, supervisor):
    colega = AtendenteFactory()
    protocolo = abrir()

    cliente_supervisor.post(
        url(protocolo, "atribuir"), {"atribuir-versao": protocolo.versao, "atribuir-responsavel": colega.pk}
    )

    protocolo.refresh_from_db()
    assert protocolo.responsavel == colega
    assert ultima(protocolo).autor == supervisor


def test_an_attendant_has_no_assign_form(cliente_atendente, protocolo):
    resposta = cliente_atendente.get(url(protocolo))

    assert "atribuir" not in resposta.context["f"]
    assert "cancelar" not in resposta.context["f"] and "prorrogar" not in resposta.context["f"]


def test_escalating_needs_a_reason(cliente_atendente, protocolo):
    sem_motivo = cliente_atendente.post(url(protocolo, "escalar"), {"escalar-versao": protocolo.versao})
    com_motivo = cliente_atendente.post(
        url(protocolo, "escalar"), {"escalar-versao": protocolo.versao, "escalar-motivo": "Cliente ameaça Procon."}
    )

    assert sem_motivo.status_code == 200 and "Este campo é obrigatório" in sem_motivo.text
    assert com_motivo.status_code == 302
    protocolo.refresh_from_db()
    assert protocolo.nivel == 2
    assert ultima(protocolo).publica is False


def test_resolving_tells_the_consumer(cliente_atendente, atendente, protocolo):
    resposta = cliente_atendente.post(
        url(protocolo, "resolver"),
        {"resolver-versao": protocolo.versao, "resolver-texto": "Estorno feito."},
        follow=True,
    )

    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.RESOLVIDO
    assert Mensagem.objects.filter(protocolo=protocolo, corpo__contains="Estorno feito.").exists()
    assert "o consumidor foi avisado" in resposta.text
    assert resposta.context["pode"]["reabrir"] and not resposta.context["pode"]["resolver"]


def test_reopening_a_resolved_protocol(cliente_atendente, atendente, protocolo):
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)
    protocolo.refresh_from_db()

    cliente_atendente.post(url(protocolo, "reabrir"), {"reabrir-versao": protocolo.versao, "reabrir-motivo": "Voltou."})

    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.EM_ATENDIMENTO


def test_marking_a_duplicate_by_number_in_any_format(cliente_atendente, atendente, protocolo):
    original = abrir(consumidor=protocolo.consumidor)

    resposta = cliente_atendente.post(
        url(protocolo, "duplicado"),
        {"duplicado-versao": protocolo.versao, "duplicado-numero": original.numero_formatado.replace(" ", ".")},
        follow=True,
    )

    protocolo.refresh_from_db()
    assert protocolo.duplicado_de == original
    assert protocolo.situacao == Situacao.ENCERRADO
    assert f"duplicado de {original.numero_formatado}" in resposta.text


def test_a_duplicate_of_a_number_that_does_not_exist_is_refused(cliente_atendente, protocolo):
    valido_inexistente = numeracao.formato_atual().montar(datetime.date(2020, 1, 1), 1)
    resposta = cliente_atendente.post(
        url(protocolo, "duplicado"),
        {"duplicado-versao": protocolo.versao, "duplicado-numero": valido_inexistente},
        follow=True,
    )

    assert "Nenhum protocolo com esse número" in resposta.text


def test_a_supervisor_cancels_and_extends(cliente_supervisor, protocolo):
    novo_prazo = protocolo.prazo + datetime.timedelta(days=5)
    cliente_supervisor.post(
        url(protocolo, "prorrogar"),
        {
            "prorrogar-versao": protocolo.versao,
            "prorrogar-novo_prazo": novo_prazo.isoformat(),
            "prorrogar-motivo": "Perícia.",
        },
    )
    protocolo.refresh_from_db()
    assert protocolo.prazo == novo_prazo

    cliente_supervisor.post(
        url(protocolo, "cancelar"), {"cancelar-versao": protocolo.versao, "cancelar-motivo": "Engano."}
    )
    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.CANCELADO


def test_an_earlier_deadline_is_refused_with_the_services_message(cliente_supervisor, protocolo):
    resposta = cliente_supervisor.post(
        url(protocolo, "prorrogar"),
        {
            "prorrogar-versao": protocolo.versao,
            "prorrogar-novo_prazo": protocolo.prazo.isoformat(),
            "prorrogar-motivo": "x",
        },
    )

    assert resposta.status_code == 200
    assert "O novo prazo deve ser depois de" in resposta.text


# Two attendants, one protocol ---------------------------------------------------------------------


def test_a_stale_form_says_who_changed_what_and_keeps_the_text(cliente_atendente, protocolo):
    versao_vista = protocolo.versao
    colega = AtendenteFactory(first_name="Bruno", last_name="Costa")
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=colega)

    resposta = cliente_atendente.post(
        url(protocolo, "resolver"),
        {"resolver-versao": versao_vista, "resolver-texto": "Resposta longa que não pode se perder."},
    )

    assert resposta.status_code == 409
    assert "Bruno Costa" in resposta.text and "mudança de situação" in resposta.text
    assert "Resposta longa que não pode se perder." in resposta.text
    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.EM_ATENDIMENTO
    # The form now carries the current version: sending it again works.
    assert resposta.context["f"]["resolver"].data["resolver-versao"] == str(protocolo.versao)
    de_novo = cliente_atendente.post(
        url(protocolo, "resolver"), {"resolver-versao": protocolo.versao, "resolver-texto": "Resposta."}
    )
    assert de_novo.status_code == 302


# Sending the number, the outbox, the CPF ----------------------------------------------------------


def test_sending_the_number_queues_it_and_an_undelivered_message_shows(
    cliente_atendente, protocolo, django_capture_on_commit_callbacks, monkeypatch
):
    def recusar(*args, **kwargs):
        raise OSError("Servidor de e-mail fora do ar")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", recusar)
    with django_capture_on_commit_callbacks(execute=True):
        enviado = cliente_atendente.post(url(protocolo, "enviar_numero"))
    resposta = cliente_atendente.get(enviado.url)

    mensagem = Mensagem.objects.get(protocolo=protocolo)
    assert not mensagem.enviada
    assert "Número enviado para" in resposta.text
    assert "pendente" in resposta.text and "Servidor de e-mail fora do ar" in resposta.text
    assert ultima(protocolo).tipo == Tipo.ENVIO_NUMERO


def test_a_delivered_message_shows_as_sent(cliente_atendente, protocolo):
    [mensagem] = services.protocolo_enviar_numero(protocolo=protocolo)
    outbox.entregar(mensagem.pk)

    resposta = cliente_atendente.get(url(protocolo))

    assert 'data-mensagem="enviada"' in resposta.text


def test_sending_the_number_without_an_email_says_so(cliente_atendente, atendente):
    protocolo = abrir(atendente=atendente)

    resposta = cliente_atendente.post(url(protocolo, "enviar_numero"), follow=True)

    assert "Nenhum e-mail confirmado recebe as mensagens deste protocolo" in resposta.text


def test_showing_the_cpf_records_who_saw_it_and_shows_it_in_that_answer_only(cliente_atendente, atendente, protocolo):
    cpf = protocolo.consumidor.cpf
    formatado = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"

    resposta = cliente_atendente.post(url(protocolo, "mostrar_cpf"))

    assert resposta.status_code == 200
    assert formatado in resposta.text
    acesso = AcessoDadoPessoal.objects.get()
    assert (acesso.usuario, acesso.consumidor, acesso.protocolo) == (atendente, protocolo.consumidor, protocolo)
    assert formatado not in cliente_atendente.get(url(protocolo)).text


# Hostile input ------------------------------------------------------------------------------------

HOSTIL = "<script>alert('x')</script><b>negrito</b> & " + "y" * 10_000


@pytest.mark.parametrize(
    ("acao", "campo"),
    [("interacao", "texto"), ("objeto", "objeto"), ("escalar", "motivo"), ("resolver", "texto")],
)
def test_ten_kilobytes_of_html_and_script_are_stored_as_typed_and_shown_escaped(
    cliente_atendente, protocolo, acao, campo
):
    dados = {f"{acao}-{campo}": HOSTIL, f"{acao}-versao": protocolo.versao, "interacao-tipo": "interna"}

    resposta = cliente_atendente.post(url(protocolo, acao), dados)
    pagina = cliente_atendente.get(url(protocolo))

    assert resposta.status_code == 302
    assert ultima(protocolo).texto == HOSTIL
    assert "<script>alert" not in pagina.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;negrito&lt;/b&gt; &amp; " in pagina.text


def test_hostile_consumer_data_is_escaped(cliente_atendente, atendente):
    protocolo = abrir(atendente=atendente, categoria_codigo=None)

    cliente_atendente.post(
        url(protocolo, "identificar"),
        {
            "identificar-versao": protocolo.versao,
            "identificar-cpf": "52998224725",
            "identificar-nome": "<img src=x onerror=alert(1)>",
        },
    )
    pagina = cliente_atendente.get(url(protocolo))

    assert "<img src=x" not in pagina.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in pagina.text


@pytest.mark.parametrize(
    "dados",
    [
        {"escalar-versao": "abc", "escalar-motivo": "x"},
        {"escalar-versao": "99999999999999999999999", "escalar-motivo": "x"},
        {"escalar-versao": "1", "escalar-motivo": "\x00"},
        {"escalar-versao": "1", "escalar-motivo": "z" * 20_001},
    ],
)
def test_odd_input_is_refused_never_a_500(cliente_atendente, protocolo, dados):
    resposta = cliente_atendente.post(url(protocolo, "escalar"), dados)

    assert resposta.status_code in (200, 302, 409)
    protocolo.refresh_from_db()
    assert protocolo.nivel == 1


def test_the_page_marks_a_consumer_message_not_yet_answered(cliente_atendente, atendente, protocolo):
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="E aí?", origem=services.Origem.CONSUMIDOR)

    antes = cliente_atendente.get(url(protocolo))
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Já vai.", autor=atendente, publica=True)
    depois = cliente_atendente.get(url(protocolo))

    assert "data-consumidor-escreveu" in antes.text
    assert "data-consumidor-escreveu" not in depois.text


# Nothing typed is lost, not even when the action is refused ---------------------------------------


def test_a_refused_action_comes_back_with_what_was_typed(cliente_atendente, protocolo):
    valido_inexistente = numeracao.formato_atual().montar(datetime.date(2020, 1, 1), 1)

    resposta = cliente_atendente.post(
        url(protocolo, "duplicado"),
        {"duplicado-versao": protocolo.versao, "duplicado-numero": numeracao.formatar(valido_inexistente)},
    )

    assert resposta.status_code == 200
    assert "Nenhum protocolo com esse número" in resposta.text
    assert f'value="{numeracao.formatar(valido_inexistente)}"' in resposta.text
    assert "duplicado" in resposta.context["abertos"]


def test_a_stale_form_whose_action_is_gone_still_shows_the_text(cliente_atendente, protocolo):
    versao_vista = protocolo.versao
    colega = AtendenteFactory(first_name="Bruno", last_name="Costa")
    services.protocolo_resolver(protocolo=protocolo, texto="Resolvido por outro.", autor=colega)
    texto = "Minha resposta longa, que levei dez minutos para escrever."

    resposta = cliente_atendente.post(
        url(protocolo, "resolver"), {"resolver-versao": versao_vista, "resolver-texto": texto}
    )

    assert resposta.status_code == 409
    assert "Bruno Costa" in resposta.text
    assert not resposta.context["pode"]["resolver"]
    assert texto in resposta.text
    assert "data-nao-enviado" in resposta.text


def test_text_refused_because_the_protocol_was_closed_meanwhile_is_still_shown(cliente_atendente, supervisor):
    protocolo = abrir()
    services.protocolo_cancelar(protocolo=protocolo, motivo="Engano.", autor=supervisor)
    texto = "O consumidor quer trocar o aparelho e também o plano."

    resposta = cliente_atendente.post(url(protocolo, "objeto"), {"objeto-objeto": texto})

    assert "não aceita mudanças" in resposta.text
    assert texto in resposta.text
    protocolo.refresh_from_db()
    assert protocolo.objeto != texto


# What the attendant is told matches what happened -------------------------------------------------


def test_a_public_answer_without_an_email_does_not_claim_it_was_sent(cliente_atendente, atendente):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(email=""))

    resposta = cliente_atendente.post(
        url(protocolo, "interacao"), {"interacao-tipo": "publica", "interacao-texto": "Já estornamos."}, follow=True
    )

    assert not Mensagem.objects.exists()
    assert "enviada ao consumidor" not in resposta.text
    assert "nenhum e-mail confirmado acompanha este protocolo" in resposta.text


def test_resolving_without_an_email_does_not_claim_the_consumer_was_told(cliente_atendente, atendente):
    protocolo = abrir(atendente=atendente)

    resposta = cliente_atendente.post(
        url(protocolo, "resolver"), {"resolver-versao": protocolo.versao, "resolver-texto": "Feito."}, follow=True
    )

    assert "o consumidor foi avisado" not in resposta.text
    assert "nenhum e-mail confirmado acompanha este protocolo" in resposta.text


def test_a_resolved_protocol_does_not_offer_escalation(cliente_atendente, atendente, protocolo):
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)

    resposta = cliente_atendente.get(url(protocolo))

    assert not resposta.context["pode"]["escalar"]
    assert 'data-form="escalar"' not in resposta.text


# Contacts: shown with their origin, bound only by the explicit action ------------------------------


def test_the_page_shows_each_contact_masked_with_its_origin_and_state(cliente_atendente, atendente):
    consumidor = ConsumidorFactory(email="vinculado@exemplo.com.br", telefone="")
    protocolo = abrir(atendente=atendente, consumidor=consumidor)
    services.contato_do_protocolo(protocolo=protocolo, tipo="email", valor="digitado@exemplo.com.br", origem="portal")

    texto = cliente_atendente.get(url(protocolo)).text

    assert "v…@exemplo.com.br" in texto and "d…@exemplo.com.br" in texto
    assert "vinculado@exemplo.com.br" not in texto and "digitado@exemplo.com.br" not in texto
    assert "vinculado</span>" in texto
    assert "formulário público (portal, chatbot)" in texto and "não confirmado" in texto


def test_binding_a_contact_needs_the_identity_check_and_is_recorded(cliente_atendente, atendente):
    consumidor = ConsumidorFactory(email="", telefone="")
    protocolo = abrir(atendente=atendente, consumidor=consumidor)
    dados = {"vincular-tipo": "email", "vincular-valor": "maria@exemplo.com.br"}

    sem_verificacao = cliente_atendente.post(url(protocolo, "vincular"), dados)
    assert sem_verificacao.status_code == 200 and not consumidor.contatos.exists()

    resposta = cliente_atendente.post(
        url(protocolo, "vincular"), dados | {"vincular-verificacao": "documento_presencial"}, follow=True
    )

    assert "E-mail vinculado ao consumidor" in resposta.text
    contato = consumidor.contatos.get()
    assert (contato.vinculado_por, contato.verificacao) == (atendente, "documento_presencial")
    assert ultima(protocolo).tipo == "vinculacao_contato"


# A page that matches the protocol's state ---------------------------------------------------------


@pytest.mark.parametrize("encerrar", [False, True])
def test_a_resolved_or_closed_protocol_offers_no_demand_forms_nor_a_running_deadline(
    cliente_atendente, atendente, protocolo, encerrar
):
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)
    if encerrar:
        services.protocolo_encerrar(protocolo=protocolo, autor=atendente)

    resposta = cliente_atendente.get(url(protocolo))

    assert 'data-form="categoria"' not in resposta.text and 'data-form="objeto"' not in resposta.text
    assert "no prazo" not in resposta.text and "text-bg-success" not in resposta.text.split("data-situacao")[1][:600]
    assert "data-prazo-encerrado" in resposta.text


def test_changing_the_categoria_of_a_resolved_protocol_is_refused_with_what_was_typed(
    cliente_atendente, atendente, protocolo
):
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)
    protocolo.refresh_from_db()
    antes = protocolo.categoria_id

    resposta = cliente_atendente.post(
        url(protocolo, "categoria"),
        {"categoria-versao": protocolo.versao, "categoria-categoria": categoria("cancelamento").pk},
    )

    protocolo.refresh_from_db()
    assert resposta.status_code == 200 and protocolo.categoria_id == antes
    assert "Reabra o protocolo" in resposta.text and "data-nao-enviado" in resposta.text


def test_the_interaction_form_and_actions_come_before_the_history(cliente_atendente, atendente, protocolo):
    texto = cliente_atendente.get(url(protocolo)).text

    assert texto.index('data-form="interacao"') < texto.index("data-linha-do-tempo")
    assert texto.index('href="#titulo-interacao"') < texto.index('id="titulo-consumidor"')


def test_sent_messages_run_in_the_timelines_order(cliente_atendente, atendente, protocolo):
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Primeira.", autor=atendente, publica=True)
    services.protocolo_resolver(protocolo=protocolo, texto="Segunda.", autor=atendente)

    resposta = cliente_atendente.get(url(protocolo))

    criadas = [m.criada_em for m in resposta.context["mensagens_enviadas"]]
    assert len(criadas) >= 2 and criadas == sorted(criadas)
