"""Errors a proto author can cause, with where in their file it happened."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in a .proto file; line and column are 1-based, as editors show them."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"

    def on_line(self) -> str:
        """` (line N)`, for naming the other element of a clash; nothing without a line."""
        return f" (line {self.line})" if self.line else ""


class GenerationError(Exception):
    """A problem in the input that the user must fix; becomes CodeGeneratorResponse.error."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"
