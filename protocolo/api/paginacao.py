"""Lists are paged by cursor: a stable position under inserts, and no COUNT of a long list."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 20
    max_page_size = 100
    page_size_query_param = "tamanho"
    cursor_query_param = "cursor"
    ordering = ("-aberto_em", "-id")
    invalid_cursor_message = "Cursor inválido."
