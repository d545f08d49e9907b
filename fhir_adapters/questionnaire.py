"""Score a QuestionnaireResponse of a bound Questionnaire (ICE, CAPD ...) into one fact.

The packs bind a Questionnaire by its canonical URL to an observations concept, with the linkId
and maximum points of every scored item and, optionally, the linkId of a stated total
(``questionnaires:`` in a pack's ``bindings:``, :class:`~cartguard.fhir_adapters.bindings.QuestionnaireBinding`).
A response becomes a fact of that concept, exactly like an Observation of it, so the latest of
the two wins in a pack's ``latest`` input.

Rules the mapping keeps (every problem is a warning naming the resource, never a crash):

* A response of a Questionnaire no pack binds is not read (like an unbound Observation code).
* Status ``completed`` and ``amended`` count; ``stopped`` (abandoned part-way) counts with the
  answers it has; ``in-progress`` is not used; ``entered-in-error`` never counts.
* The time is ``authored``; a response without it is not used.
* An item's answer must be one integer (``valueInteger``, or a ``valueDecimal`` with no fraction)
  from 0 to the item's maximum. Anything else (text, a fraction, a boolean, several answers, a
  linkId answered twice, points above the maximum) is a warning and the item counts as unanswered.
* Unanswered items are never scored 0: the total is the interval from the sum of the answered
  items to that sum plus the maximum of every unanswered one (a warning names them).
* The items are the score. A stated total that disagrees with them (or lies outside their
  interval) is a warning and is not used; a total alone (no item answered) is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from cartguard.fhir_adapters.bindings import Bindings, QuestionnaireBinding
from cartguard.fhir_adapters.facts import Fact
from cartguard.fhir_adapters.timeparse import parse_datetime

QR_OK = {"completed", "amended"}
QR_PARTIAL = {"stopped"}
QR_NEVER = {"entered-in-error"}
Warn = Callable[[str, str, str], None]
Validate = Callable[[dict[str, Any]], bool]


def _ref(res: dict[str, Any]) -> str:
    return f"{res.get('resourceType')}/{res.get('id', '?')}"


def _items(items: Any) -> Iterator[dict[str, Any]]:
    """Every item of a response, depth first: nested items and items nested in answers too."""
    if not isinstance(items, list):
        return
    for item in items:
        if not isinstance(item, dict):
            continue
        yield item
        yield from _items(item.get("item"))
        for answer in item.get("answer") or ():
            if isinstance(answer, dict):
                yield from _items(answer.get("item"))


def _integer(answer: Any) -> tuple[int | None, str]:
    """(points, '') for an integer answer, else (None, what the answer was)."""
    if not isinstance(answer, dict):
        return None, f"{type(answer).__name__} instead of an answer"
    kinds = [k for k in answer if k.startswith("value")]
    if kinds == ["valueInteger"]:
        v = answer["valueInteger"]
        if isinstance(v, int) and not isinstance(v, bool):
            return v, ""
        return None, f"valueInteger {v!r}"
    if kinds == ["valueDecimal"]:
        v = answer["valueDecimal"]
        if isinstance(v, int | float | str) and not isinstance(v, bool):
            try:
                d = Decimal(str(v))
            except InvalidOperation:
                return None, f"valueDecimal {v!r}"
            if d.is_finite() and d == d.to_integral_value():
                return int(d), ""
        return None, f"valueDecimal {v!r}"
    if not kinds:
        return None, "no value"
    return None, ", ".join(f"{k} {answer[k]!r}" for k in kinds)


def _answer(item: dict[str, Any], maximum: int | None, what: str, src: str, warn: Warn) -> int | None:
    """The points of one item (None when unanswered or unusable, with a warning for the latter)."""
    answers = item.get("answer")
    if answers is None or answers == []:
        return None
    if not isinstance(answers, list) or len(answers) != 1:
        n = len(answers) if isinstance(answers, list) else "malformed"
        warn("questionnaire-answer", f"{what}: {n} answers where one integer is expected; item counted as "
             "unanswered", src)
        return None
    points, got = _integer(answers[0])
    if points is None:
        warn("questionnaire-answer", f"{what}: answer is not an integer ({got}); item counted as unanswered", src)
        return None
    if points < 0 or (maximum is not None and points > maximum):
        limit = f"0-{maximum}" if maximum is not None else ">= 0"
        warn("questionnaire-answer", f"{what}: {points} points is outside the item's range {limit}; item counted "
             "as unanswered", src)
        return None
    return points


def score_response(qr: dict[str, Any], binding: QuestionnaireBinding, warn: Warn) -> tuple[int, int]:
    """(lo, hi) of the response's total from its items (or a stated total alone), with warnings."""
    src = _ref(qr)
    name = binding.name
    maxima = dict(binding.items)
    seen: dict[str, list[dict[str, Any]]] = {}
    for item in _items(qr.get("item")):
        link = item.get("linkId")
        if isinstance(link, str) and (link in maxima or link == binding.total):
            seen.setdefault(link, []).append(item)
    answered: dict[str, int] = {}
    for link, max_points in binding.items:
        found = seen.get(link, [])
        if len(found) > 1:
            warn("questionnaire-answer", f"{name} item {link!r} appears {len(found)} times; item counted as "
                 "unanswered", src)
            continue
        if found:
            points = _answer(found[0], max_points, f"{name} item {link!r}", src, warn)
            if points is not None:
                answered[link] = points
    stated = None
    if binding.total is not None and len(seen.get(binding.total, [])) == 1:
        stated = _answer(seen[binding.total][0], binding.max_total, f"{name} stated total {binding.total!r}", src,
                         warn)
    elif binding.total is not None and len(seen.get(binding.total, [])) > 1:
        warn("questionnaire-answer", f"{name} stated total {binding.total!r} appears more than once; not used", src)
    if not answered and stated is not None:
        return stated, stated  # a total alone is accepted (icans.md §1)
    missing = [link for link, _ in binding.items if link not in answered]
    lo = sum(answered.values())
    hi = lo + sum(maxima[link] for link in missing)
    if not answered:
        warn("questionnaire-incomplete", f"{name}: no scored item answered (expected {', '.join(maxima)}); "
             f"total unknown ({lo}-{hi}), never taken as 0", src)
    elif missing:
        warn("questionnaire-incomplete", f"{name}: item(s) {', '.join(missing)} not answered; total {lo}-{hi} "
             "(unanswered items are never scored 0)", src)
    if stated is not None and not lo <= stated <= hi:
        items_say = f"{lo}" if lo == hi else f"{lo}-{hi}"
        warn("questionnaire-total", f"{name}: stated total {stated} disagrees with the items ({items_say}); "
             "the items are used", src)
    return lo, hi


def map_questionnaire_response(qr: dict[str, Any], bindings: Bindings, warn: Warn, ok: Validate) -> list[Fact]:
    """The fact a QuestionnaireResponse gives (none if its Questionnaire is not bound or it is unusable).

    ``warn(code, message, source)`` records a warning; ``ok(resource)`` validates it (or defers the
    validation) and says whether it may be used.
    """
    binding = bindings.questionnaire(qr.get("questionnaire"))
    if binding is None:
        return []
    src = _ref(qr)
    status = qr.get("status")
    if status in QR_NEVER:
        warn("status", f"status {status}: never counts; not used", src)
        return []
    if status not in QR_OK | QR_PARTIAL:
        warn("status", f"status {status!r} is not completed/amended/stopped; not used", src)
        return []
    if not ok(qr):
        return []
    t = parse_datetime(qr.get("authored"))
    if t is None:
        warn("no-time", "no authored time; not used", src)
        return []
    if status in QR_PARTIAL:
        warn("questionnaire-incomplete", f"status stopped: {binding.name} abandoned part-way; only its answered "
             "items are used", src)
    lo, hi = score_response(qr, binding, warn)
    concept = binding.concept
    return [Fact(
        "observation", concept.name, src, t, value=float(lo) if lo == hi else None, lo=float(lo), hi=float(hi),
        unit=concept.unit, original_value=str(lo) if lo == hi else f"{lo}-{hi}", code=binding.url,
        classes=concept.classes,
    )]
