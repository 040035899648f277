"""Every list is read a page at a time by cursor: the next page's link is in `next`. A
cursor stays right while rows are added, and a page costs the same at any depth."""

from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import CursorPagination

NOT_OURS = (
    "This cursor is not one Leap gave out: follow the `next` and `previous` links of a page "
    "as they are."
)


class IdCursorPagination(CursorPagination):
    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise ParseError(NOT_OURS) from error
        if cursor is not None and cursor.position is not None:
            try:
                int(cursor.position)
            except ValueError as error:  # a cursor made by hand
                raise ParseError(NOT_OURS) from error
        return cursor

    def get_page_size(self, request):
        given = request.query_params.get(self.page_size_query_param)
        if given is None:
            return self.page_size
        if not given.isdigit() or not 1 <= int(given) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(given)
