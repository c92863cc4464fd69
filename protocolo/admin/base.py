"""What every ModelAdmin of the workplace shares: who supervises, the mixins that keep a list safe
and cheap at a million rows (docs/pilha.md 20), and the words shown for a deadline's state."""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation, IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.utils.functional import cached_property

from .. import leitura
from ..models import nome_de
from ..validators import validar_linha

SUPERVISAO = "protocolo.exportar_protocolos"
# The changelists count the filtered rows up to here and then say "mais de": never a COUNT(*) of a
# million rows on every page.
LIMITE_DA_CONTAGEM = 10_000
CORES_DO_PRAZO = {
    "vencido": ("#ba2121", "vencido"),
    "vence_hoje": ("#c86400", "vence hoje"),
    "vence_em_breve": ("#2f6fb0", "em até 2 dias"),
    "no_prazo": ("#2e7d32", "no prazo"),
}


def pode_supervisionar(usuario):
    return usuario.is_active and usuario.is_staff and usuario.has_perm(SUPERVISAO)


def nome_exibido(usuario):
    return nome_de(usuario) or "—"


class EscolhaDeAcao:
    """The actions' menu starts with a Portuguese prompt (Django 6.1's is not translated yet)."""

    def get_action_choices(self, request, default_choices=None, action_location=ActionLocation.CHANGE_LIST):
        if default_choices is None:
            default_choices = [("", "— escolha uma ação —")]
        return super().get_action_choices(request, default_choices, action_location)


class ContagemLimitada(Paginator):
    """Counts at most LIMITE_DA_CONTAGEM + 1 rows (a LIMIT inside the COUNT), so neither the whole
    table nor a broad filter is ever counted in full; the pagination then says "mais de 10.000"."""

    @cached_property
    def count(self):
        # Without the list's ORDER BY: the count of the first rows found in any order is the same,
        # and a sort (over a join, for some columns) of every matching row is not paid for it.
        return self.object_list.order_by()[: LIMITE_DA_CONTAGEM + 1].count()

    @property
    def contagem_limitada(self):
        return self.count > LIMITE_DA_CONTAGEM


class ListaDeLeitura(ChangeList):
    """A changelist whose rows (and their count) come from the replica when the request allows: a
    GET of the list. An action posted from it reads and writes on the primary (protocolo/leitura.py)."""

    def get_queryset(self, request, exclude_parameters=None):
        return leitura.de_leitura(super().get_queryset(request, exclude_parameters))


class ListaOrdenavelSoPeloIndice(ListaDeLeitura):
    """Sorts only by the columns in sortable_by, even when ?o= names another one: the header hides
    the link, and this refuses the hand-typed URL."""

    def get_ordering_field(self, field_name):
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


class ListaSegura:
    """A changelist that counts with ContagemLimitada and answers odd input (a NUL byte, which
    PostgreSQL refuses in any text; a forged selection) with the admin's error page or a message,
    never a 500."""

    paginator = ContagemLimitada
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return ListaDeLeitura

    def response_action(self, request, queryset, **kwargs):
        # Django filters the queryset by the posted ids without checking them: a forged one would
        # be a ValueError (a 500) when the action reads the rows.
        selecionados = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(pk.isascii() and pk.isdigit() for pk in selecionados):
            self.message_user(request, "Seleção inválida: escolha os itens na lista.", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, **kwargs)

    def get_changelist_instance(self, request):
        if any("\x00" in chave or any("\x00" in v for v in valores) for chave, valores in request.GET.lists()):
            raise IncorrectLookupParameters("Parâmetro com caractere inválido.")
        return super().get_changelist_instance(request)


class SomenteLeitura:
    """Nobody adds, edits or deletes here, not even a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TextoDeUmaLinha:
    """Names and descriptions typed here are shown on every screen and in e-mails: the same rule as
    the portal's and the back-office's fields (no control characters, no line breaks)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        campo = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(campo, forms.CharField) and not isinstance(campo.widget, forms.Textarea):
            campo.validators.append(validar_linha)
        return campo
