"""Hold music between announcements: a recording under voice_prompts/, or one made here.

A caller must never wait in silence, and the announcement comes back each time the music
ends (Twilio requests the wait URL again), so the music's length is the announcements'
cadence: about 35 s. `voice_prompts/vi/audio/hold_music.mp3` (or `.wav`) is played when
present; otherwise a calm 35-second phrase is synthesised once, as telephone-quality WAV
(8 kHz, 16-bit mono), and served by the app.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from functools import lru_cache
from pathlib import Path

from ivr.prompts import PROMPTS_ROOT

RATE = 8000
SECONDS = 35.0
MUSIC_PATH = "/twilio/voice/queue/music.wav"
# A pentatonic phrase (Hz) over two slow chords: nothing a caller mistakes for a ring tone.
_MELODY = (392.0, 440.0, 523.25, 587.33, 523.25, 440.0, 392.0, 329.63,
           349.23, 392.0, 440.0, 392.0, 349.23, 329.63, 293.66, 329.63)
_CHORDS = ((196.0, 246.94, 293.66), (174.61, 220.0, 261.63))


@lru_cache(maxsize=8)
def recorded_music(language: str = "vi", root: Path = PROMPTS_ROOT) -> str | None:
    """The file name of a recording under voice_prompts/<lang>/audio/, if one is there:
    looked for once per process, as the prompts' recordings are (every wait webhook asks)."""
    for suffix in (".mp3", ".wav"):
        if (root / language / "audio" / f"hold_music{suffix}").is_file():
            return f"hold_music{suffix}"
    return None


@lru_cache(maxsize=1)
def synthesised_wav() -> bytes:
    total = int(RATE * SECONDS)
    note_len = total // (len(_MELODY) * 2)  # the phrase twice
    samples = bytearray()
    for n in range(total):
        t = n / RATE
        idx = (n // note_len) % len(_MELODY)
        phase = (n % note_len) / note_len
        envelope = min(1.0, phase * 12) * (1 - phase) ** 1.5
        tone = _MELODY[idx]
        value = envelope * (math.sin(2 * math.pi * tone * t) + 0.25 * math.sin(4 * math.pi * tone * t))
        chord = _CHORDS[(n // (note_len * 4)) % len(_CHORDS)]
        value = 0.55 * value + 0.12 * sum(math.sin(2 * math.pi * f * t) for f in chord)
        fade = min(1.0, t / 1.5, (SECONDS - t) / 1.5)
        samples += struct.pack("<h", int(max(-1.0, min(1.0, value * fade * 0.5)) * 32767))
    return telephone_wav(bytes(samples))


def telephone_wav(samples: bytes) -> bytes:
    """16-bit mono samples at 8 kHz as a WAV file: telephone quality, all a caller hears."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples)
    return out.getvalue()
