"""Chinese first: the language is the user's explicit choice, else Chinese."""

from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class ChosenLanguageMiddleware(MiddlewareMixin):
    """Activate the language chosen in the page header (its cookie), else LANGUAGE_CODE.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: a phone set to
    English still opens in Chinese, the language the whole response works in, until the user
    picks English.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
