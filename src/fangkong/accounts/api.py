"""Authentication for the API: session or bearer token; tokens are issued here."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from fangkong.common.params import error_responses

from .services import issue_token, user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str


@router.post("/token", response={200: TokenOut, **error_responses(429)}, auth=None)
def create_token(request, data: TokenIn):
    """Exchange a username and password for a bearer token (shown once). The login limits of
    every door apply: 429 while the account or the address is locked."""
    user = authenticate(request, username=data.username, password=data.password)
    if user is None:
        if getattr(request, "login_lock", None) is not None:
            raise HttpError(429, _("Too many failed logins. Wait 15 minutes."))
        raise HttpError(401, _("Wrong username or password."))
    return {"token": issue_token(user=user, name=data.name, request=request)}
