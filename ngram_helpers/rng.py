"""A tiny deterministic random number generator (introduced in notebook 02).

Every weight of the language model and every "coin flip" of the sampler comes from this
generator instead of ``torch.manual_seed``. It is a few lines of integer arithmetic, so the same
seed gives the same numbers on every machine, operating system and library version, which is what
lets the tests compare a run against a printed reference log digit for digit.

The algorithm is xorshift64* (Marsaglia's xorshift with Vigna's multiplicative output scrambling).
"""

import math

_MASK64 = (1 << 64) - 1
_MULTIPLIER = 0x2545F4914F6CDD1D


class RNG:
    """xorshift64* generator with helpers for uniform and normal floats."""

    def __init__(self, seed: int) -> None:
        if not 0 < seed <= _MASK64:
            raise ValueError(f"seed must be an integer in 1..2**64-1, got {seed!r}")
        self.state = seed

    def next_u32(self) -> int:
        """Advance the 64-bit state and return 32 scrambled bits."""
        s = self.state
        s ^= s >> 12
        s ^= (s << 25) & _MASK64
        s ^= s >> 27
        self.state = s
        return ((s * _MULTIPLIER) & _MASK64) >> 32

    def random(self) -> float:
        """A float in [0, 1) with 24 random bits (exactly representable in float32)."""
        return (self.next_u32() >> 8) / 16777216.0

    def rand(self, n: int, a: float = 0.0, b: float = 1.0) -> list[float]:
        """``n`` floats drawn uniformly from [a, b)."""
        return [self.random() * (b - a) + a for _ in range(n)]

    def randn(self, n: int, mu: float = 0.0, sigma: float = 1.0) -> list[float]:
        """``n`` normal floats by the Box-Muller transform, drawn in pairs.

        Each pair uses two uniforms u1, u2 and yields r*cos(2*pi*u2) then r*sin(2*pi*u2) with
        r = sqrt(-2 ln u1). An odd ``n`` still draws a whole pair and drops the last value.
        """
        out: list[float] = []
        for _ in range((n + 1) // 2):
            u1 = self.random()
            u2 = self.random()
            r = math.sqrt(-2.0 * math.log(u1))
            angle = 2.0 * math.pi * u2
            out.append(r * math.cos(angle) * sigma + mu)
            out.append(r * math.sin(angle) * sigma + mu)
        return out[:n]
