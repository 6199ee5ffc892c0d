"""tests/deploy/ tests the modules in the repository's deploy/ folder, imported from the repository
root (pytest.ini's pythonpath holds py/ and tests/, not the root)."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
