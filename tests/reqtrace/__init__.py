"""Requirements traced to the tests that prove them.

A test names the requirement ids it proves with ``@pytest.mark.req("DL-1")``. The pytest plugin
(``plugin``) records each marked test's ids and outcome and writes them as JSON with
``--req-report PATH``; ``python -m tests.reqtrace`` prints every id of requirements.md with its tests
and, with ``--strict``, fails when an id the code claims to implement has no passing test.
"""
