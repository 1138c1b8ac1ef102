"""Authlib's authorization server wired to the test provider's state, served as a Flask app."""

from __future__ import annotations

import base64
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode
from flask import Flask, Response, jsonify, request
from joserfc import jws
from joserfc.jwk import OctKey

from tests.servers.oidc_state import CLIENT_SECRET, OidcProvider, ProviderClient, ProviderUser

SCOPES = frozenset({"openid", "email", "profile"})


@dataclass(frozen=True)
class _Client:
    """Authlib's view of a registered client (its `ClientMixin` methods)."""

    registered: ProviderClient
    auth_methods: tuple[str, ...]
    """The token endpoint's methods the discovery document offers now."""

    def get_client_id(self) -> str:
        return self.registered.client_id

    def get_default_redirect_uri(self) -> str:
        return self.registered.redirect_uris[0]

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(part for part in (scope or "").split() if part in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.registered.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        secret = self.registered.client_secret
        return secret is not None and hmac.compare_digest(secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.registered.client_secret is None:
            return method == "none"
        return method in {"client_secret_basic", "client_secret_post"} and method in self.auth_methods

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass(frozen=True)
class IssuedCode:
    """An authorization code and what it was issued for (Authlib's `AuthorizationCodeMixin`)."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: ProviderUser
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class _Server(AuthorizationServer):  # type: ignore[misc]  # Authlib ships no type information
    provider: OidcProvider


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")

    @property
    def provider(self) -> OidcProvider:
        server: _Server = self.server
        return server.provider

    def save_authorization_code(self, code: str, oauth_request: Any) -> None:
        data = oauth_request.payload.data
        with self.provider.lock:
            self.provider.used_nonces.add(data.get("nonce"))
            self.provider.codes[code] = IssuedCode(
                code=code,
                client_id=oauth_request.client.get_client_id(),
                redirect_uri=oauth_request.payload.redirect_uri,
                scope=oauth_request.client.get_allowed_scope(oauth_request.payload.scope),
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                user=oauth_request.user,
                auth_time=int(time.time()),
            )

    def query_authorization_code(self, code: str, client: _Client) -> IssuedCode | None:
        with self.provider.lock:
            issued: IssuedCode | None = self.provider.codes.get(code)
        return issued if issued is not None and issued.client_id == client.get_client_id() else None

    def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
        with self.provider.lock:
            self.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: IssuedCode) -> ProviderUser:
        return authorization_code.user


class _S256Required(CodeChallenge):  # type: ignore[misc]
    """PKCE for every client, confidential ones too, and only S256."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ("S256",)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required")
        super().validate_code_challenge(grant, redirect_uri)


class _OpenIDCode(OpenIDCode):  # type: ignore[misc]
    """id_tokens signed as the provider's `signing` knob says, with its claim overrides."""

    def __init__(self, provider: OidcProvider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, oauth_request: Any) -> bool:
        with self.provider.lock:
            return nonce in self.provider.used_nonces

    def resolve_client_private_key(self, client: _Client) -> Any:
        return self.provider.signing_key()

    def get_client_algorithm(self, client: _Client) -> str:
        return "RS256"

    def get_encode_header(self, client: _Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": self.provider.signing_key().kid or ""}

    def get_client_claims(self, client: _Client) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.get_client_id()]}

    def generate_user_info(self, user: ProviderUser, scope: str) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": user.sub}
        scopes = scope.split()
        if self.provider.profile_in_id_token:
            if "email" in scopes and user.email is not None:
                claims |= {"email": user.email, "email_verified": user.email_verified}
            if "profile" in scopes and user.name is not None:
                claims["name"] = user.name
        # Authlib merges these claims last, so the overrides win over iss, aud, exp and nonce.
        with self.provider.lock:
            return claims | self.provider.claim_overrides

    def encode_id_token(self, token: dict[str, Any], oauth_request: Any) -> str:
        signed: str = super().encode_id_token(token, oauth_request)
        if self.provider.signing not in {"HS256", "none"}:
            return signed
        payload = signed.split(".")[1]
        if self.provider.signing == "none":
            header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
            return f"{header}.{payload}."
        secret = oauth_request.client.registered.client_secret or CLIENT_SECRET
        claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return jws.serialize_compact(
            {"alg": "HS256"}, claims, OctKey.import_key(secret), algorithms=["HS256"]
        )


def _userinfo(provider: OidcProvider) -> Response | tuple[Response, int]:
    scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
    with provider.lock:
        user = provider.access_tokens.get(access_token) if scheme.lower() == "bearer" else None
    if user is None:
        return jsonify({"error": "invalid_token"}), 401
    info: dict[str, Any] = {"sub": user.sub}
    if user.email is not None:
        info |= {"email": user.email, "email_verified": user.email_verified}
    if user.name is not None:
        info["name"] = user.name
    with provider.lock:
        return jsonify(info | provider.userinfo_overrides)


def create_app(provider: OidcProvider) -> Flask:
    """The provider's Flask app, serving `provider`'s state under `/oidc`."""
    app = Flask(__name__)

    def save_token(token: dict[str, Any], oauth_request: Any) -> None:
        with provider.lock:
            provider.access_tokens[token["access_token"]] = oauth_request.user

    def query_client(client_id: str) -> _Client | None:
        with provider.lock:
            registered = provider.clients.get(client_id)
            methods = tuple(provider.metadata()["token_endpoint_auth_methods_supported"])
        return _Client(registered, methods) if registered else None

    server = _Server(app, query_client=query_client, save_token=save_token)
    server.provider = provider
    server.register_grant(_CodeGrant, [_S256Required(required=True), _OpenIDCode(provider)])

    @app.before_request
    def count() -> None:
        provider.record(request.endpoint or "unknown")

    @app.get("/oidc/.well-known/openid-configuration", endpoint="discovery")
    def discovery() -> Response:
        return jsonify(provider.metadata())

    @app.get("/oidc/jwks", endpoint="jwks")
    def jwks() -> Response:
        return jsonify(provider.jwks())

    @app.get("/oidc/authorize", endpoint="authorize")
    def authorize() -> Any:
        user = provider.user
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        return server.create_authorization_response(grant_user=user, grant=grant)

    @app.post("/oidc/token", endpoint="token")
    def token() -> Any:
        return server.create_token_response()

    app.add_url_rule("/oidc/userinfo", "userinfo", lambda: _userinfo(provider))
    return app
