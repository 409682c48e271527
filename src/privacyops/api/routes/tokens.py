"""``/api/v1/tokens``: admins issue, list and revoke API tokens (each change is audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from privacyops.api import deps
from privacyops.audit import chain
from privacyops.store import tokens
from privacyops.store.models import ApiToken

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])
AdminDep = Annotated[deps.Principal, deps.require_role("admin")]


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["ci-reporting"])
    role: Literal["viewer", "reviewer", "admin"] = Field(examples=["viewer"])


class TokenPublic(BaseModel):
    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="The bearer token. It is shown only in this response.")


def _actor(principal: deps.Principal) -> str:
    return f"token:{principal.token_id}" if principal.token_id else principal.name


@router.post("", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenCreate, session: deps.SessionDep, admin: AdminDep) -> TokenCreated:
    """Issue a token; the response is the only time its text is shown."""
    row, token = tokens.issue_token(session, name=body.name, role=body.role)
    chain.append(session, actor=_actor(admin), action="token.issued", entity="api_token",
                 entity_id=str(row.id), data={"role": row.role})
    session.commit()
    return TokenCreated(**TokenPublic.model_validate(row, from_attributes=True).model_dump(), token=token)


@router.get("", response_model=list[TokenPublic])
def list_tokens(session: deps.SessionDep, _admin: AdminDep) -> list[TokenPublic]:
    """List every token, revoked ones included (never their text)."""
    rows = session.scalars(sa.select(ApiToken).order_by(ApiToken.id)).all()
    return [TokenPublic.model_validate(row, from_attributes=True) for row in rows]


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: deps.RowId, session: deps.SessionDep, admin: AdminDep) -> None:
    """Revoke a token at once; requests that present it get 401 from then on."""
    if not tokens.revoke_token(session, token_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail={"field": "token_id", "rule": f"no active token has the id {token_id}"})
    chain.append(session, actor=_actor(admin), action="token.revoked", entity="api_token",
                 entity_id=str(token_id), data={})
    session.commit()
