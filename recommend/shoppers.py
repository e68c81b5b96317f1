"""Who a request's shopper is, for "for you" lists and recorded events.

- A signed-in user (session or token) is their user id; an anonymous session id
  sent along is kept too, so the history from before signing in still counts.
- A headless client names its anonymous shopper with the `X-Session-Id` header
  (or the `session_id` query parameter on reads): any id of its own, up to 64
  characters of letters, digits and ``-_.:``.
- Otherwise the storefront's Django session key, when the browser has a session;
  the storefront starts one at a browser's first recorded event
  (`browser_shopper`), never on a catalog page view.
"""

import re
from dataclasses import dataclass

HEADER = "X-Session-Id"
QUERY_PARAMETER = "session_id"
SESSION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
SESSION_ID_HELP = "1 to 64 letters, digits or -_.: characters."


class BadSessionId(ValueError):
    pass


@dataclass(frozen=True)
class Shopper:
    user_id: int | None
    session_id: str
    # The id is the browser's session cookie (writes must pass the CSRF check).
    from_cookie: bool = False

    @property
    def known(self) -> bool:
        return self.user_id is not None or bool(self.session_id)


def clean_session_id(value: str) -> str:
    if not SESSION_ID.match(value):
        raise BadSessionId(SESSION_ID_HELP)
    return value


def shopper(request, *, allow_query: bool = False) -> Shopper:
    """The request's shopper; raises BadSessionId for a malformed explicit id."""
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    explicit = request.headers.get(HEADER)
    if explicit is None and allow_query:
        explicit = request.GET.get(QUERY_PARAMETER)
    if explicit is not None:
        return Shopper(user_id, clean_session_id(explicit))
    session_key = request.session.session_key or ""
    return Shopper(user_id, session_key, from_cookie=bool(session_key))


def browser_shopper(request) -> Shopper:
    """The storefront browser's shopper, for recording its events: as shopper(),
    but a browser without a session yet gets one now, so that its events and
    its "for you" list meet on the session key from the first product view."""
    found = shopper(request)
    if found.known:
        return found
    request.session.create()
    return Shopper(found.user_id, request.session.session_key)
