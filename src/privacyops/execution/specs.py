"""The named steps each type of request goes through, fixed when its run starts."""

from __future__ import annotations

from privacyops.engine import plan as engine_plan
from privacyops.execution.env import ExecutionEnv
from privacyops.execution.steps import StepSpec
from privacyops.requests import errors

ACCESS = ("access", "portability", "know")
ERASING = ("erasure", "account_deletion")
RESTRICTING = ("restriction", "objection", "marketing_opt_out")


class ExecutionError(errors.RequestRuleError):
    """The request cannot be run as it is; the message says what to do first."""


def step_specs(env: ExecutionEnv, request_type: str, identities: dict[str, str]) -> list[StepSpec]:
    """Return the named steps a request of this type goes through."""
    if request_type in ERASING:
        plan = engine_plan.build_plan(env.manifest, identities, "erasure")
        work = [StepSpec(f"{s.operation} {s.table}", s.operation, s.table) for s in plan.steps]
        return [StepSpec("find the subject", "collect"), *work, StepSpec("prove nothing is left", "verify"),
                StepSpec("tell recipients", "notify_recipients"), StepSpec("close", "close")]
    if request_type in ACCESS:
        return [StepSpec("build the access package", "package"), StepSpec("close", "close")]
    if request_type == "rectification":
        return [StepSpec("find the subject", "collect"), StepSpec("correct every copy", "correct"),
                StepSpec("tell recipients", "notify_recipients"), StepSpec("close", "close")]
    if request_type in RESTRICTING:
        return [StepSpec("record it", "restrict"), StepSpec("tell recipients", "notify_recipients"),
                StepSpec("close", "close")]
    if request_type == "lift_restriction":
        return [StepSpec("lift the restriction", "lift"), StepSpec("close", "close")]
    raise ExecutionError(f"requests of type {request_type} are answered by hand, not run", field="type")
