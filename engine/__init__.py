"""Compile rule packs onto durable-rules, evaluate each patient in isolation, return pydantic results.

Modules, in the order data flows through them: :mod:`.packs` (schema, loading), :mod:`.packset`
(ordering, parameters), :mod:`.compile` (flat rules), :mod:`.inputs` (facts → interval inputs),
:mod:`.facts_encoding`, :mod:`.durable_host` and :mod:`.reference` (rule truth),
:mod:`.combine` (components, value), :mod:`.evaluate` (orchestration), :mod:`.results` (contract).
"""
