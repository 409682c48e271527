from __future__ import annotations

import pkgutil
from pathlib import Path

import privacyops.pii.recognizers as package
from privacyops.pii.recognizers import DEFAULT_CLASSES, ENTITIES


def test_every_recognizer_module_has_its_table_test_and_is_registered() -> None:
    # Shared shapes, the phone recognizer's metadata path and the name recognizer's word lists.
    helpers = {"base", "phone_fast", "person_words"}
    modules = {info.name for info in pkgutil.iter_modules(package.__path__)} - helpers
    here = Path(__file__).parent
    assert modules == {cls.__module__.rsplit(".", 1)[1] for cls in DEFAULT_CLASSES}
    for name in modules:
        assert (here / f"test_{name}.py").is_file(), f"tests/unit/pii/test_{name}.py is missing"


def test_recognizers_declare_entity_and_patterns() -> None:
    for cls in DEFAULT_CLASSES:
        assert cls.ENTITY in ENTITIES and cls.PATTERNS, cls.__name__
        assert len({p.name for p in cls.PATTERNS}) == len(cls.PATTERNS), cls.__name__
