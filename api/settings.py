"""All settings in one place (the operating contract of API.md)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.application import DEFAULT_AGGREGATE_CACHE_SIZE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINFANG_", extra="ignore")

    database_url: str = Field("sqlite:///./xinfang.db", description="sqlite:///path.db or postgresql://...")
    database_schema: str | None = Field(None, description="PostgreSQL schema (one per jurisdiction)")
    admin_token: str | None = Field(
        None, description="an administrator with this token exists from first start"
    )
    signing_key_file: str | None = Field(
        None,
        description="Ed25519 seed for checkpoints (raw 32 bytes, hex or base64); never stored in the "
        "database. Unset: generated beside a SQLite file (development only); PostgreSQL refuses.",
    )
    trusted_public_keys: str | None = Field(
        None, description="comma-separated hex public keys of earlier signing keys, still trusted by verify"
    )
    checkpoint_interval_seconds: float = Field(
        3600.0, description="how often the service signs a checkpoint if the ledger grew (0 = never)"
    )
    max_body_bytes: int = 1_000_000
    session_secret: str | None = Field(
        None,
        description="signs page-session and login-form cookies; unset: a secret made once and kept in "
        "the database, shared by every API process",
    )
    aggregate_cache_size: int = Field(
        DEFAULT_AGGREGATE_CACHE_SIZE, ge=0,
        description="aggregates kept between commands, per process (about 2.3 KB a case); 0 = off",
    )  # fmt: skip
    run_views: bool = Field(
        True, description="keep the views up to date in this process (off when `xinfang project` runs them)"
    )
    view_wait_seconds: float = Field(
        5.0, description="how long a query with min_position waits for the views before 503 views_behind"
    )
    auth_failure_limit: int = Field(
        20, ge=1, description="failed authentications per address within the window before 429"
    )
    auth_failure_window_seconds: float = Field(
        60.0, gt=0, description="the window of auth_failure_limit, in seconds"
    )
    public_lookup_failure_limit: int = Field(
        5, ge=1, description="wrong case id / query code pairs per address, and per case, within the window "
        "before the public look-up answers 429"
    )
    public_lookup_window_seconds: float = Field(
        900.0, gt=0, description="the window of public_lookup_failure_limit, in seconds"
    )
    trusted_proxies: str | None = Field(
        None,
        description="comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is "
        "believed; unset: none, the peer's address is the client's",
    )
    metrics_token: str | None = Field(
        None,
        description="a bearer token for the Prometheus scraper on /metrics; unset: /metrics needs an "
        "administrator's or inspector's token",
    )
