"""cartguard's core rule packs, as declarative YAML files beside this module.

| File | Pack id | What it encodes |
|---|---|---|
| ``terminology/core.yaml`` | ``terminology.core`` | code bindings (LOINC, SNOMED CT, RxNorm, ICD-10-CM) |
| ``crs/astct2019.yaml`` | ``crs.astct2019`` | ASTCT 2019 CRS grade |
| ``dic/isth2001.yaml`` | ``dic.isth2001`` | ISTH overt DIC score |
| ``guidance/core.yaml`` | ``guidance.core`` | escalation guidance (ASCO 2021, BCSH 2009, ISTH 2013) |

They are registered by :mod:`cartguard.rules.core_plugin` through the ``cartguard.packs``
entry point, exactly as a site pack is.
"""

from pathlib import Path

PACK_DIR = Path(__file__).parent
CORE_PACK_FILES = sorted(PACK_DIR.glob("*/*.yaml"))
"""Every ``<area>/<name>.yaml`` beside this module is a core pack (drafts use another suffix)."""
