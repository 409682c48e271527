"""``/api/v1/packages/{token}``: download an access package through its signed, expiring link (AC-3).

The route is public because the token is the authorisation: it names the package and its expiry and
is signed with the deployment key. An expired link answers 410, an altered or malformed one 403. The
package is opened from its sealed copy only for this response, never cached, and every download is
written to the audit chain (request id and size only, no personal data).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse

from privacyops.api import deps
from privacyops.audit import chain
from privacyops.execution import links as execution_links
from privacyops.package import crypto
from privacyops.package import links as package_links
from privacyops.requests import context, records

router = APIRouter(prefix=execution_links.ROUTE, tags=["access packages"])
CHUNK = 64 * 1024
NO_STORE = {
    "Cache-Control": "no-store, max-age=0",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: never pass it on to another site
    "X-Content-Type-Options": "nosniff",
}


def _refused(code: int, rule: str, message: str) -> HTTPException:
    return HTTPException(code, detail={"field": "token", "rule": rule, "message": message},
                         headers=NO_STORE)


@router.get(
    "/{token}",
    dependencies=[deps.public()],
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/zip": {}}, "description": "The access package (ZIP)."},
        403: {"description": "The link was altered or is not a download link."},
        404: {"description": "The package is no longer kept."},
        410: {"description": "The link expired; the subject asks for a new one."},
    },
)
def download_package(token: str, services: deps.ServicesDep, session: deps.SessionDep) -> StreamingResponse:
    """Send the access package a valid link grants, as a ZIP attachment that is never cached."""
    key = context.secret_key(services.settings)
    try:
        grant = package_links.verify_link(token, key, datetime.now(UTC))
    except package_links.LinkRefused as exc:
        code = status.HTTP_410_GONE if exc.reason == "expired" else status.HTTP_403_FORBIDDEN
        raise _refused(code, exc.reason, str(exc)) from None
    path = execution_links.package_path(services.settings.home, grant.package_id)
    try:
        data = crypto.open_sealed(path.read_bytes(), key)
    except FileNotFoundError:
        raise _refused(status.HTTP_404_NOT_FOUND, "missing",
                       "this package is no longer kept; ask for your data again") from None
    except crypto.SealError:
        raise _refused(status.HTTP_409_CONFLICT, "unreadable",
                       "the package cannot be opened with the current key; ask for your data again") from None
    chain.append(session, actor="download-link", action="package.downloaded", entity=records.ENTITY,
                 entity_id=grant.package_id,
                 data={"bytes": len(data), "link_expires_at": grant.expires_at.isoformat()})
    session.commit()
    headers = {**NO_STORE, "Content-Length": str(len(data)),
               "Content-Disposition": f'attachment; filename="privacy-package-{grant.package_id}.zip"'}
    return StreamingResponse(_chunks(data), media_type="application/zip", headers=headers)


def _chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]
