"""What the analyses need of a checked assessment: its file's content, its method, and the
engine's arrays. ``nsra.io.validate.Loaded`` has all three; the analyses take this protocol so
that they do not depend on how an assessment was read."""

from __future__ import annotations

from typing import Protocol

from nsra.engine.inputs import AssessmentInput
from nsra.model.assessment import Assessment
from nsra.model.method import Method


class CheckedAssessment(Protocol):
    """A checked assessment: content, method and the engine's input arrays."""

    @property
    def assessment(self) -> Assessment: ...

    @property
    def method(self) -> Method: ...

    @property
    def inputs(self) -> AssessmentInput: ...
