"""The results store: the engine's answers kept between runs (see `answers.Results`, `disk`, `fingerprint`)."""

from .answers import Results

__all__ = ["Results"]
