from .scope import scope_of


def capabilities(request):
    """``caps``: what the user's role may do, for menus (the views check again)."""
    return {"caps": scope_of(getattr(request, "user", None)).caps}
