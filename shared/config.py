"""Settings shared by both deployables. Only entry points read the environment (`from_env`);
everything else receives these objects in its constructor.

Environment variables (all optional unless noted; names are the deployment contract with infra/):

- ``TRIAGE_STORAGE_CONNECTION_STRING`` — Azurite / local storage (wins when set), or
- ``TRIAGE_STORAGE_TABLE_ENDPOINT`` — ``https://<account>.table.core.windows.net`` reached with an
  azure-identity credential (``AZURE_CLIENT_ID`` selects a user-assigned managed identity).
- ``TRIAGE_TABLE_PREFIX`` — prefix for table names (tests use one per test; default none).
- ``TRIAGE_STUN_URLS`` — comma-separated STUN URLs.
- ``TRIAGE_TURN_URLS`` / ``TRIAGE_TURN_SECRET`` / ``TRIAGE_TURN_TTL_SECONDS`` — TURN REST auth.
- ``TRIAGE_MEDIA_HOST_KEY`` — shared key of the internal control-plane → media-host API.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field, SecretStr, model_validator

DEFAULT_STUN_URLS: tuple[str, ...] = ()  # no public STUN by default: loopback/dev needs none


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class StorageSettings(BaseModel):
    """How to reach Table Storage: a connection string (Azurite) or an endpoint + credential."""

    connection_string: SecretStr | None = None
    table_endpoint: str | None = None
    managed_identity_client_id: str | None = None
    table_prefix: str = Field(default="", pattern=r"^[A-Za-z][A-Za-z0-9]{0,20}$|^$")

    @model_validator(mode="after")
    def _one_way_in(self) -> StorageSettings:
        if self.connection_string is None and not self.table_endpoint:
            raise ValueError(
                "storage is not configured: set TRIAGE_STORAGE_CONNECTION_STRING (local/Azurite) "
                "or TRIAGE_STORAGE_TABLE_ENDPOINT (Azure, with a managed identity)"
            )
        return self

    def table_name(self, base: str) -> str:
        """The real table name for a logical one (`sessions` → `<prefix>sessions`)."""
        return f"{self.table_prefix}{base}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> StorageSettings:
        conn = environ.get("TRIAGE_STORAGE_CONNECTION_STRING")
        return cls(
            connection_string=SecretStr(conn) if conn else None,
            table_endpoint=environ.get("TRIAGE_STORAGE_TABLE_ENDPOINT") or None,
            managed_identity_client_id=environ.get("AZURE_CLIENT_ID") or None,
            table_prefix=environ.get("TRIAGE_TABLE_PREFIX", ""),
        )


class IceSettings(BaseModel):
    """ICE servers handed to browsers and media hosts.

    TURN credentials follow the coturn REST scheme: username ``<expiry>:<session_id>``,
    password ``base64(HMAC-SHA1(secret, username))``.
    """

    stun_urls: list[str] = Field(default_factory=lambda: list(DEFAULT_STUN_URLS))
    turn_urls: list[str] = Field(default_factory=list)
    turn_secret: SecretStr | None = None
    turn_ttl_seconds: int = Field(default=3600, ge=60, le=86_400)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> IceSettings:
        secret = environ.get("TRIAGE_TURN_SECRET")
        return cls(
            stun_urls=_csv(environ.get("TRIAGE_STUN_URLS")),
            turn_urls=_csv(environ.get("TRIAGE_TURN_URLS")),
            turn_secret=SecretStr(secret) if secret else None,
            turn_ttl_seconds=int(environ.get("TRIAGE_TURN_TTL_SECONDS", "3600")),
        )


class MediaHostLinkSettings(BaseModel):
    """The shared key both sides of the internal media-host API hold."""

    key: SecretStr = Field(min_length=32)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> MediaHostLinkSettings:
        key = environ.get("TRIAGE_MEDIA_HOST_KEY")
        if not key:
            raise ValueError("TRIAGE_MEDIA_HOST_KEY is required (at least 32 characters)")
        return cls(key=SecretStr(key))


def csv_env(environ: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    """A comma-separated list from the environment, or `default` when unset/empty."""
    return _csv(environ.get(name)) or list(default)
