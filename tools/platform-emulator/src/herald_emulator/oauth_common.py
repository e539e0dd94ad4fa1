"""Helpers shared by the three OAuth emulations: form parsing and auto-consent redirects."""

from urllib.parse import urlencode, urlsplit, urlunsplit

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse

from herald_emulator.state import EmulatorState
from herald_emulator.tokens import AuthorizationCode


async def form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    fields.update({key: value for key, value in request.query_params.items() if key not in fields})
    return fields


def redirect_with(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    """Sends the browser back to the client, as the consent screen would after "Allow"."""
    parts = urlsplit(redirect_uri)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302)


def consent_redirect(
    state: EmulatorState, code: AuthorizationCode, client_state: str | None
) -> RedirectResponse:
    """Stores the code and redirects with it, and with the client's `state` when it sent one."""
    state.tokens.issue_code(code)
    reply = {"code": code.code}
    if client_state:
        reply["state"] = client_state
    return redirect_with(code.redirect_uri, reply)


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)
