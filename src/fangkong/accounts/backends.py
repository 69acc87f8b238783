"""One login policy for every door: the app's login page, the admin's, the API's token endpoint.

Each of them calls ``django.contrib.auth.authenticate()``, which asks this backend, so a locked
account or address is refused, and a failure counted and audited, whichever door was used.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from .services import clear_login_failures, client_ip, login_lock, note_login_failure


class LoginPolicyBackend(ModelBackend):
    """Django's model backend behind the login limits of ``services.login_lock``."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if username is None or password is None:
            return None
        lock = login_lock(username=username, ip=client_ip(request))
        if lock is not None:
            if request is not None:
                request.login_lock = lock  # the form or endpoint says why
            raise PermissionDenied  # stops authenticate() here, the password unchecked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            note_login_failure(username=username, request=request)
        else:
            clear_login_failures(username=username)
        return user
