"""The dependency-pin reader (checkers/dependencies.py) reads only the lines that name a package;
the same constraints as reading every line, whatever the text and its line breaks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aiprivlint.checkers import dependencies as dep


def _every_line(text: str):
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        bare = line.split("#", 1)[0] if not line.lstrip().startswith(("http", "torch @")) else line
        wheel = dep.WHEEL.search(line)
        if wheel:
            out.append((n, dep.PACKAGES[wheel.group(1).lower()], wheel.group(2)))
            continue
        spec = dep.SPEC.search(bare)
        if spec and spec.group(3):
            out.append((n, dep.PACKAGES[spec.group(1).lower()],
                        dep.lowest(spec.group(2), spec.group(3))))
        elif dep.MENTION.search(bare):
            out.append((n, dep.PACKAGES[dep.MENTION.search(bare).group(1).lower()], "0"))
    return out


def test_a_lock_file_gives_its_constraints_at_their_lines():
    text = ("numpy==1.26.4 \\\n    --hash=sha256:abc\ntorch==2.6.0+cu124 \\\n    --hash=sha256:def\n"
            "# torch<2 was slow\nPyTorch>=1.13 ; python_version < '3.12'\n")
    assert dep.constraints(text) == [(3, "torch", "2.6.0"), (6, "torch", "1.13")]


_PIECES = st.sampled_from(["torch", "pytorch", "TORCH", "Torch", "==", ">=", "~=", "^", "<", "2.6",
                           "1.13.1", "-2.6.0+cu118-cp311-none-linux_x86_64.whl", "[cuda]", " ",
                           "#", "'", '"', "=", "{version = ", "numpy", "torchvision", "x",
                           "\n", "\r\n", "\r", "\x0c", "\u2028", "\x85"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_reading_the_named_lines_equals_reading_every_line(pieces):
    text = "".join(pieces)
    assert dep.constraints(text) == _every_line(text)
