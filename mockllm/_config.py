"""Settings of the mock server, built once by the entry point (CLI or test) and passed down."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "CommandLine",
    "Fault",
    "FaultRates",
    "GeneratorBehaviour",
    "JudgeBehaviour",
    "LatencyDist",
    "MockConfig",
    "parse_args",
]


class Fault(StrEnum):
    """A fault the server can inject into a chat completion."""

    SERVER_ERROR = "500"
    RATE_LIMIT = "429"
    TIMEOUT = "timeout"  # hang for hang_s before answering, past any sane client timeout
    MALFORMED_JSON = "malformed_json"
    EMPTY_CHOICES = "empty_choices"


class LatencyDist(StrEnum):
    FIXED = "fixed"
    UNIFORM = "uniform"  # uniform on [0.5, 1.5] × latency
    EXPONENTIAL = "exponential"  # mean = latency


def _check_probability(owner: str, name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{owner}: {name} must be a probability in [0, 1], got {value!r}")


@dataclass(frozen=True, slots=True)
class FaultRates:
    """Probability of each fault per chat request; they are exclusive, so they must sum to <= 1."""

    server_error: float = 0.0
    rate_limit: float = 0.0
    timeout: float = 0.0
    malformed_json: float = 0.0
    empty_choices: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_probability("FaultRates", f.name, getattr(self, f.name))
        if sum(rate for _, rate in self.as_pairs()) > 1.0 + 1e-9:
            raise ValueError("FaultRates: the fault probabilities sum to more than 1")

    def as_pairs(self) -> tuple[tuple[Fault, float], ...]:
        return (
            (Fault.SERVER_ERROR, self.server_error),
            (Fault.RATE_LIMIT, self.rate_limit),
            (Fault.TIMEOUT, self.timeout),
            (Fault.MALFORMED_JSON, self.malformed_json),
            (Fault.EMPTY_CHOICES, self.empty_choices),
        )


@dataclass(frozen=True, slots=True)
class JudgeBehaviour:
    """How the scripted judge strays from the demo grades."""

    models: tuple[str, ...] = ("mock-judge",)
    noise: float = 0.0  # probability of a uniformly random verdict
    position_bias: float = 0.0  # probability of picking the first-shown answer regardless
    malformed: float = 0.0  # probability of a reply without a strict verdict marker
    unknown_grade: int = 3  # grade assumed for an answer that is not in the demo data

    def __post_init__(self) -> None:
        for name in ("noise", "position_bias", "malformed"):
            _check_probability("JudgeBehaviour", name, getattr(self, name))
        if not 1 <= self.unknown_grade <= 5:
            raise ValueError(f"JudgeBehaviour: unknown_grade must be 1-5, got {self.unknown_grade!r}")


@dataclass(frozen=True, slots=True)
class GeneratorBehaviour:
    """The scripted question generator: which model names act as one, and how often it fails."""

    models: tuple[str, ...] = ("mock-generator",)
    malformed: float = 0.0  # probability of a reply that is not the requested JSON

    def __post_init__(self) -> None:
        _check_probability("GeneratorBehaviour", "malformed", self.malformed)


@dataclass(frozen=True, slots=True)
class MockConfig:
    demo_dir: Path | None = None
    latency_ms: float = 0.0
    latency_dist: LatencyDist = LatencyDist.FIXED
    faults: FaultRates = field(default_factory=FaultRates)
    fault_script: tuple[Fault, ...] = ()  # injected, in order, into the first chat requests
    retry_after_s: float = 1.0
    hang_s: float = 30.0
    judge: JudgeBehaviour = field(default_factory=JudgeBehaviour)
    generator: GeneratorBehaviour = field(default_factory=GeneratorBehaviour)
    reasoning_models: tuple[str, ...] = ()  # models that also return reasoning_content
    require_key: str | None = None
    seed: int = 0
    request_log: Path | None = None

    def __post_init__(self) -> None:
        if self.latency_ms < 0 or self.retry_after_s < 0 or self.hang_s < 0:
            raise ValueError("MockConfig: latency_ms, retry_after_s and hang_s must be non-negative")


def _names(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _faults(value: str) -> tuple[Fault, ...]:
    try:
        return tuple(Fault(part) for part in _names(value))
    except ValueError:
        allowed = ", ".join(f.value for f in Fault)
        raise argparse.ArgumentTypeError(f"unknown fault in {value!r} (allowed: {allowed})") from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mockllm", description="OpenAI-compatible mock LLM server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8600, help="0 picks a free port (printed on start)")
    p.add_argument(
        "--demo-dir", type=Path, default=Path("demo"), help="demo release (models.yaml, questions/)"
    )
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--latency-dist", choices=[d.value for d in LatencyDist], default=LatencyDist.FIXED.value)
    p.add_argument("--fault-500", type=float, default=0.0)
    p.add_argument("--fault-429", type=float, default=0.0)
    p.add_argument("--fault-timeout", type=float, default=0.0)
    p.add_argument("--fault-malformed-json", type=float, default=0.0)
    p.add_argument("--fault-empty-choices", type=float, default=0.0)
    p.add_argument(
        "--fault-script", type=_faults, default=(), help="e.g. 429,500,timeout for the first requests"
    )
    p.add_argument("--retry-after", type=float, default=1.0, help="Retry-After seconds sent with 429")
    p.add_argument("--hang-s", type=float, default=30.0, help="how long a timeout fault hangs")
    p.add_argument("--judge-models", type=_names, default=("mock-judge",))
    p.add_argument("--judge-noise", type=float, default=0.0)
    p.add_argument("--judge-position-bias", type=float, default=0.0)
    p.add_argument("--judge-malformed", type=float, default=0.0)
    p.add_argument("--generator-models", type=_names, default=("mock-generator",))
    p.add_argument("--generator-malformed", type=float, default=0.0)
    p.add_argument("--reasoning-models", type=_names, default=())
    p.add_argument("--require-key", default=None, help="answer 401 unless 'Authorization: Bearer KEY'")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--request-log", type=Path, default=None, help="append one JSON line per request")
    return p


class CommandLine(NamedTuple):
    config: MockConfig
    host: str
    port: int


def parse_args(argv: Sequence[str] | None = None) -> CommandLine:
    """Parse the command line into a config plus the host and port to bind."""
    args = build_parser().parse_args(argv)
    config = MockConfig(
        demo_dir=args.demo_dir,
        latency_ms=args.latency_ms,
        latency_dist=LatencyDist(args.latency_dist),
        faults=FaultRates(
            server_error=args.fault_500,
            rate_limit=args.fault_429,
            timeout=args.fault_timeout,
            malformed_json=args.fault_malformed_json,
            empty_choices=args.fault_empty_choices,
        ),
        fault_script=args.fault_script,
        retry_after_s=args.retry_after,
        hang_s=args.hang_s,
        judge=JudgeBehaviour(
            models=args.judge_models,
            noise=args.judge_noise,
            position_bias=args.judge_position_bias,
            malformed=args.judge_malformed,
        ),
        generator=GeneratorBehaviour(models=args.generator_models, malformed=args.generator_malformed),
        reasoning_models=args.reasoning_models,
        require_key=args.require_key,
        seed=args.seed,
        request_log=args.request_log,
    )
    return CommandLine(config, args.host, args.port)
