"""Rules on typed input see ASCII digits only (issue: ``\\d`` and ``isdigit()`` accept every
script's digits, so a number typed with a Chinese input method slipped past "already clean").

Input goes through ``fangkong.common.digits`` first; after it a rule says ``[0-9]``. The few
modules below read ``\\d`` on purpose: masking hides any digit, whatever its script, and the
natural sort orders labels already stored.
"""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "fangkong"
ON_PURPOSE = {"common/digits.py", "common/masking.py", "common/sorting.py"}
UNICODE_DIGIT_RULE = re.compile(r"\\d|\.isdigit\(\)|\.isnumeric\(\)")


def test_no_rule_on_typed_input_accepts_other_scripts_digits():
    found = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel in ON_PURPOSE or "/migrations/" in rel:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if UNICODE_DIGIT_RULE.search(line.split("#")[0]):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == []
