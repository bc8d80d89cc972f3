"""The softphone's sounds, made here: Twilio's Voice SDK would fetch its own from Twilio's
CDN each time a console opens. A ring, the call's start and end, and the keypad's tones
(the standard DTMF pairs), as short telephone-quality WAVs.
"""

from __future__ import annotations

import math
import struct
from functools import lru_cache

from ivr.queue.music import RATE, telephone_wav

# Two frequencies per key, as every telephone plays them.
_DTMF = {
    "dtmf1": (697, 1209), "dtmf2": (697, 1336), "dtmf3": (697, 1477),
    "dtmf4": (770, 1209), "dtmf5": (770, 1336), "dtmf6": (770, 1477),
    "dtmf7": (852, 1209), "dtmf8": (852, 1336), "dtmf9": (852, 1477),
    "dtmfs": (941, 1209), "dtmf0": (941, 1336), "dtmfh": (941, 1477),
}
# (frequencies, on seconds, off seconds, repeats): Vietnam's ring tone is 425 Hz, 1 s on, 4 s off.
_TONES: dict[str, tuple[tuple[int, ...], float, float, int]] = {
    "incoming": ((425,), 1.0, 4.0, 1),
    "outgoing": ((425,), 0.3, 0.2, 2),
    "disconnect": ((425,), 0.2, 0.2, 3),
    **{name: (pair, 0.15, 0.05, 1) for name, pair in _DTMF.items()},
}
SOUND_NAMES = tuple(_TONES)


@lru_cache(maxsize=len(_TONES))
def sound_wav(name: str) -> bytes:
    """The WAV of `name` (one of `SOUND_NAMES`); KeyError for any other."""
    freqs, on_s, off_s, repeats = _TONES[name]
    samples = bytearray()
    for _ in range(repeats):
        for n in range(int(RATE * on_s)):
            t = n / RATE
            edge = min(1.0, t / 0.01, (on_s - t) / 0.01)  # no click at either end
            value = edge * sum(math.sin(2 * math.pi * f * t) for f in freqs) / len(freqs)
            samples += struct.pack("<h", int(value * 0.4 * 32767))
        samples += bytes(2 * int(RATE * off_s))
    return telephone_wav(bytes(samples))
