"""Declared parameters of a model's tasks: the UI builds its panels from these, the engine validates."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# "image_file": the path of an image file as text ("" = none); the family reads it when it needs it,
# the UI offers a file chooser, and the path is what the metadata records.
ParamKind = Literal["int", "float", "bool", "choice", "text", "image_file"]


@dataclass(frozen=True)
class ParamSpec:
    """One knob of a task: its type, range, default and a help line for the tooltip."""

    name: str
    kind: ParamKind
    default: Any
    label: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def coerce(self, value: Any) -> Any:
        """Return `value` converted to this parameter's type and clamped to its range.

        Raises ValueError with a readable message when the value cannot be used.
        """
        try:
            if self.kind in ("int", "float"):
                out: Any = float(value)
                if not math.isfinite(out):
                    raise ValueError("not a finite number")
                out = int(round(out)) if self.kind == "int" else out
            elif self.kind == "bool":
                out = _to_bool(value)
            elif self.kind == "choice":
                out = str(value)
                if out not in self.choices:
                    raise ValueError(f"must be one of {', '.join(self.choices)}")
                return out
            else:
                return str(value)
        except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: a 400-digit int
            shown = (
                f"{value!r}"[:40] if not isinstance(value, int) or abs(value) < 10**30 else "a huge number"
            )
            raise ValueError(f"parameter '{self.name}': {shown} is not valid ({exc})") from exc
        if self.kind in ("int", "float"):
            if self.minimum is not None:
                out = max(out, type(out)(self.minimum))
            if self.maximum is not None:
                out = min(out, type(out)(self.maximum))
        return out


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError("expected true/false")
    return bool(value)


@dataclass(frozen=True)
class TaskSpec:
    """A task a model can run (e.g. 'inpaint', 'sample') and the parameters it declares."""

    name: str
    label: str
    params: tuple[ParamSpec, ...] = ()
    needs_image: bool = False
    needs_mask: bool = False
    # The task works through the mask when one is painted, else on the whole picture (Denoise).
    uses_mask: bool = False
    help: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    # (parameter, value): the task uses the canvas image when that parameter has that value (e.g. the
    # VAE's interpolation with start = "canvas"). Only then is the image copied into the job.
    uses_image: tuple[str, str] | None = None
    # False: the result does not depend on the seed (OpenCV, a fill network), so no seed is offered.
    seeded: bool = True

    def takes_image(self, params: Mapping[str, Any]) -> bool:
        """Whether a job of this task with `params` gets the canvas image."""
        if self.needs_image:
            return True
        return self.uses_image is not None and params.get(self.uses_image[0]) == self.uses_image[1]

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.params}

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with `given`, each value coerced; unknown names are an error."""
        unknown = set(given) - {spec.name for spec in self.params}
        if unknown:
            raise ValueError(f"task '{self.name}' has no parameter(s): {', '.join(sorted(unknown))}")
        return {
            spec.name: spec.coerce(given[spec.name]) if spec.name in given else spec.default
            for spec in self.params
        }
