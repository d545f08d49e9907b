"""cartguard's core rule packs, as declarative YAML files beside this module.

| File | Pack id | What it encodes |
|---|---|---|
| ``terminology/core.yaml`` | ``terminology.core`` | code bindings (LOINC, SNOMED CT, RxNorm, ICD-10-CM, local codes) |
| ``crs/astct2019.yaml`` | ``crs.astct2019`` | ASTCT 2019 CRS grade (default) |
| ``crs/lee2014.yaml`` | ``crs.lee2014`` | Lee 2014 CRS grade |
| ``crs/ctcae5.yaml`` | ``crs.ctcae5`` | CTCAE v5.0 CRS grade |
| ``icans/astct2019.yaml`` | ``icans.astct2019`` | ASTCT 2019 ICANS grade, ICE or CAPD (default) |
| ``dic/isth2001.yaml`` | ``dic.isth2001`` | ISTH overt DIC score (default) |
| ``dic/isth2001_nonovert.yaml`` | ``dic.isth2001.nonovert`` | ISTH non-overt DIC score (serial values) |
| ``dic/jaam.yaml`` | ``dic.jaam`` | JAAM acute DIC score |
| ``dic/jmhw.yaml`` | ``dic.jmhw`` | JMHW DIC criteria (leukaemia type) |
| ``dic/jsth2017.yaml`` | ``dic.jsth2017`` | JSTH 2017 DIC criteria (three types) |
| ``dic/sic.yaml`` | ``dic.sic`` | sepsis-induced coagulopathy |
| ``dic/cdss2017.yaml`` | ``dic.cdss2017`` | Chinese DIC Scoring System 2017 |
| ``sirs/bone1992.yaml`` | ``sirs.bone1992`` | SIRS criteria count (read by JAAM) |
| ``guidance/core.yaml`` | ``guidance.core`` | CRS and DIC escalation guidance (ASCO 2021, BCSH 2009, ISTH 2013) |
| ``guidance/icans.yaml`` | ``guidance.icans`` | ICANS escalation guidance (ASCO 2021) |

See ``docs/scales.md`` for which run by default and how they are lined up side by side.

They are registered by :mod:`cartguard.rules.core_plugin` through the ``cartguard.packs``
entry point, exactly as a site pack is.
"""

from pathlib import Path

PACK_DIR = Path(__file__).parent
CORE_PACK_FILES = sorted(PACK_DIR.glob("*/*.yaml"))
"""Every ``<area>/<name>.yaml`` beside this module is a core pack (drafts use another suffix)."""
