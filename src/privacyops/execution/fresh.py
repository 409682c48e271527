"""An erasure's first collection, kept in this worker process for the table pass that follows it.

Without it the pass reads the subject's tables again a few milliseconds after "find the subject" read
them. A kept collection is used once, by the same process, and only when the run recorded exactly
this collection (another worker's, or one the run did not keep, is never used); a pass run later,
again or elsewhere collects afresh. Rows that appear between the two moments are caught by "prove
nothing is left", which collects afresh and counts every finder (ER-6).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from privacyops.engine.collect import Collection

AT_MOST = 16  # runs a worker has between their collection and their pass at one time, with margin
FOR_SECONDS = 60.0  # the pass follows at once; one that comes later reads the tables again

_lock = threading.Lock()
_kept: OrderedDict[str, tuple[float, dict[str, Any], Collection]] = OrderedDict()


def keep(request_id: str, summary: dict[str, Any], found: Collection) -> None:
    """Keep a collection and the summary the run stores of it; one that failed somewhere is not kept."""
    if found.failures:
        return  # the pass tries the failed table again
    now = time.monotonic()
    with _lock:
        _kept[request_id] = (now, summary, found)
        _kept.move_to_end(request_id)
        while _kept and (len(_kept) > AT_MOST or next(iter(_kept.values()))[0] < now - FOR_SECONDS):
            _kept.popitem(last=False)


def take(request_id: str, subject: Mapping[str, Any]) -> Collection | None:
    """Return the kept collection of a run once, if the run's recorded subject is this collection."""
    with _lock:
        entry = _kept.pop(request_id, None)
    if entry is None:
        return None
    kept_at, summary, found = entry
    if kept_at < time.monotonic() - FOR_SECONDS or any(subject.get(k) != v for k, v in summary.items()):
        return None
    return found


def forget(request_id: str) -> None:
    """Drop what is kept for a run (its pass will collect afresh)."""
    with _lock:
        _kept.pop(request_id, None)
