from django.utils.translation import gettext as _
from rest_framework import pagination

from core.errors import InvalidInput


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most 500), per the contract. A page size that is not a
    positive whole number is refused (DRF would quietly use the default instead)."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        given = request.query_params.get(self.page_size_query_param)
        if given is not None and not (given.isascii() and given.isdigit() and int(given) > 0):
            message = _("The page size is a whole number from 1 to %(maximum)d.") % {
                "maximum": self.max_page_size
            }
            raise InvalidInput(message, fields={self.page_size_query_param: [message]})
        return super().get_page_size(request)
