"""The executive summary: key findings in sentences, a pure function of the snapshot.

Order: crossed red lines first (a missing safeguard outweighs any average), then
the overall level with coverage and confidence, the declared model, the models
within reach, the first roadmap steps, and the strongest and weakest dimensions.
"""

from dataclasses import dataclass
from itertools import groupby

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import consensus, roadmap, scoring
from ..selectors import AssessmentSnapshot
from .context import model_names, unmet_conditions_sentence

# Strongest and weakest dimensions closer than this (points) are called close.
CLOSE_POINTS = 5.0
ROADMAP_STEPS_IN_SUMMARY = 3


@dataclass(frozen=True)
class Finding:
    # red-line | no-red-line | overall | agreement | declared | within-reach | roadmap | strengths
    kind: str
    text: str
    detail: str = ""  # a red line's reason, printed after the finding in normal weight


def key_findings(snapshot: AssessmentSnapshot, plan: roadmap.Plan | None) -> list[Finding]:
    crossed = bool(snapshot.score.triggered_red_lines)
    findings = [
        Finding("red-line" if crossed else "no-red-line", text, detail)
        for text, detail in red_line_sentences(snapshot)
    ]
    findings.append(Finding("overall", overall_sentence(snapshot)))
    if snapshot.agreement is not None:
        findings.append(Finding("agreement", agreement_sentence(snapshot)))
    if snapshot.score.overall is None:
        return findings
    findings.append(Finding("declared", declared_sentence(snapshot)))
    findings.append(Finding("within-reach", within_reach_sentence(snapshot)))
    if plan is not None:
        findings.append(Finding("roadmap", roadmap_sentence(snapshot, plan)))
    strengths = strengths_sentence(snapshot)
    if strengths:
        findings.append(Finding("strengths", strengths))
    return findings


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.0f}%"


def red_line_sentences(snapshot: AssessmentSnapshot) -> list[tuple[str, str]]:
    """(finding, reason) for each crossed red line, or that none is crossed."""
    bank, score = snapshot.bank, snapshot.score
    if bank.red_lines and not score.triggered_red_lines and score.overall is not None:
        return [
            (
                ngettext(
                    "No red line is crossed (%(n)d checked).",
                    "No red line is crossed (%(n)d checked).",
                    len(bank.red_lines),
                )
                % {"n": len(bank.red_lines)},
                "",
            )
        ]
    sentences = []
    for red_line in score.triggered_red_lines:
        question = bank.question_by_code[red_line.question]
        dimension = score.dimension(red_line.dimension)
        values = {
            "code": question.code,
            "question": question.text,
            "answer": snapshot.display(question),
            "dimension": dimension.name,
            "cap": f"{red_line.cap:.1f}",
            "raw": "—" if dimension.raw_score is None else f"{dimension.raw_score:.1f}",
        }
        if dimension.cap_binds:
            text = _(
                "Red line crossed: %(code)s (%(question)s) is answered “%(answer)s”, so "
                "%(dimension)s is capped at %(cap)s (it would be %(raw)s)."
            )
        else:
            text = _(
                "Red line crossed: %(code)s (%(question)s) is answered “%(answer)s”. "
                "%(dimension)s already scores %(raw)s, under the cap of %(cap)s."
            )
        sentences.append((text % values, red_line.reason))
    return sentences


def overall_confidence(score: scoring.AssessmentScore) -> scoring.ConfidenceShares:
    """The dimension-weighted mean of the dimensions' confidence shares."""
    rated = [d for d in score.dimensions if d.confidence.high is not None]
    shares = {}
    for level in ("high", "medium", "low", "unrated"):
        shares[level] = scoring.weighted_mean(
            [(d.weight, getattr(d.confidence, level)) for d in rated]
        )
    return scoring.ConfidenceShares(**shares)


def overall_sentence(snapshot: AssessmentSnapshot) -> str:
    score = snapshot.score
    if score.overall is None:
        return _("Nothing scored is answered yet, so there are no findings.")
    values = {"overall": f"{score.overall:.1f}", "coverage": _pct(score.coverage)}
    if snapshot.provisional:
        text = (
            _(
                "Provisional: the overall score so far is %(overall)s of 100, but only "
                "%(coverage)s of the scored question weight is answered, too little to claim a "
                "maturity level."
            )
            % values
        )
    else:
        values["band"] = score.band or "—"
        text = (
            _(
                "Overall score %(overall)s of 100, maturity level %(band)s, with %(coverage)s of "
                "the scored question weight answered."
            )
            % values
        )
    confidence = overall_confidence(score)
    if confidence.high is not None:
        text += " " + _(
            "Analysts' confidence in the answers: high for %(high)s of the answered weight, "
            "medium %(medium)s, low %(low)s, not stated %(unrated)s."
        ) % {
            "high": _pct(confidence.high),
            "medium": _pct(confidence.medium),
            "low": _pct(confidence.low),
            "unrated": _pct(confidence.unrated),
        }
        if confidence.low > 0.5:
            text += " " + _(
                "Most of it is given with low confidence: treat these conclusions as tentative "
                "until the evidence is firmer."
            )
        elif confidence.unrated > 0.5:
            text += " " + _(
                "For most of it no confidence was stated, so the report cannot say how firm "
                "the evidence is."
            )
    return text


def agreement_sentence(snapshot: AssessmentSnapshot) -> str:
    agreement = snapshot.agreement
    values = {
        "n": len(snapshot.sets.active),
        "alpha": "—" if agreement.alpha is None else f"{agreement.alpha:.2f}",
        "k": len(agreement.disagreements),
    }
    text = (
        ngettext(
            "%(n)d analysts answered independently; Krippendorff's alpha %(alpha)s, and "
            "%(k)d question needed reconciliation.",
            "%(n)d analysts answered independently; Krippendorff's alpha %(alpha)s, and "
            "%(k)d questions needed reconciliation.",
            values["k"],
        )
        % values
    )
    return text + " " + consensus.alpha_reading(agreement.alpha)


def declared_sentence(snapshot: AssessmentSnapshot) -> str:
    bank = snapshot.bank
    code = snapshot.assessment.partnership.declared_model
    spec, result = bank.model(code), snapshot.score.model(code)
    if spec is None or result is None:
        return _("The declared model is not part of this question bank.")
    values = {
        "model": spec.name,
        "readiness": "—" if result.readiness is None else f"{result.readiness:.1f}",
        "at": f"{bank.ready_at:g}",
    }
    if snapshot.provisional:
        parts = [
            _(
                "The declared model, %(model)s: readiness %(readiness)s of the %(at)s needed "
                "over the questions answered so far (provisional)."
            )
            % values
        ]
    elif result.within_reach:
        parts = [
            _(
                "The declared model, %(model)s, is within reach: readiness %(readiness)s "
                "(%(at)s needed) and every condition met."
            )
            % values
        ]
    else:
        parts = [
            _(
                "The declared model, %(model)s, is not within reach: readiness %(readiness)s "
                "of the %(at)s needed."
            )
            % values
        ]
    names = {d.code: d.name for d in bank.dimensions}
    gaps = sorted(
        ((c, gap) for c, gap in result.shortfalls.items() if gap), key=lambda pair: -pair[1]
    )
    if gaps:
        parts.append(
            _("It falls short of its targets in %(gaps)s.")
            % {
                "gaps": ", ".join(
                    _("%(dimension)s (by %(gap).1f)") % {"dimension": names[c], "gap": gap}
                    for c, gap in gaps
                )
            }
        )
    if result.unmet_conditions:
        parts.append(unmet_conditions_sentence(snapshot, result))
    return " ".join(parts)


def within_reach_sentence(snapshot: AssessmentSnapshot) -> str:
    score, bank = snapshot.score, snapshot.bank
    if snapshot.provisional:
        return _(
            "Too little is answered (%(coverage)s of the scored weight) to say which models "
            "the partnership can sustain."
        ) % {"coverage": _pct(score.coverage)}
    if score.supported_models:
        return ngettext(
            "Supported now: %(models)s (readiness at least %(at)s and every condition met).",
            "Supported now, most demanding first: %(models)s (readiness at least %(at)s and "
            "every condition met).",
            len(score.supported_models),
        ) % {"models": model_names(snapshot, score.supported_models), "at": f"{bank.ready_at:g}"}
    closest = score.model(score.closest_model)
    return _(
        "No model is supported now (readiness %(at)s with every condition met); the closest "
        "is %(model)s at readiness %(readiness).1f."
    ) % {"at": f"{bank.ready_at:g}", "model": closest.name, "readiness": closest.readiness}


def roadmap_sentence(snapshot: AssessmentSnapshot, plan: roadmap.Plan) -> str:
    name = plan.model.name
    if plan.reached_after == 0:
        return _("No step is needed to bring %(model)s within reach.") % {"model": name}
    if not plan.steps:
        return _("No change of a single answer brings %(model)s closer.") % {"model": name}
    # Consecutive steps on one question read as one change: "(1-3) INT-03 from 3 % to 75 %".
    numbered = enumerate(plan.steps[:ROADMAP_STEPS_IN_SUMMARY], start=1)
    steps, named = [], set()
    for _code, run in groupby(numbered, key=lambda pair: pair[1].question.code):
        run = list(run)
        (first, start), (last, end) = run[0], run[-1]
        values = {
            "n": str(first) if first == last else f"{first}–{last}",
            "code": start.question.code,
            "question": Truncator(start.question.text).chars(90),
            "from": start.from_display,
            "to": end.to_display,
        }
        if start.question.code in named:  # the question is quoted once
            steps.append(_("(%(n)s) %(code)s again, from “%(from)s” to “%(to)s”") % values)
        else:
            steps.append(
                _("(%(n)s) %(code)s, “%(question)s”, from “%(from)s” to “%(to)s”") % values
            )
        named.add(start.question.code)
    text = _("First steps towards %(model)s: %(steps)s.") % {
        "model": name,
        "steps": "; ".join(steps),
    }
    if plan.reached_after is not None:
        text += " " + _("It comes within reach after step %(n)d of the roadmap.") % {
            "n": plan.reached_after
        }
    else:
        text += " " + _("The roadmap's %(n)d steps do not bring it within reach.") % {
            "n": len(plan.steps)
        }
    return text


def strongest_and_weakest(
    snapshot: AssessmentSnapshot,
) -> tuple[list[scoring.DimensionResult], list[scoring.DimensionResult]]:
    """The highest and the lowest scored dimensions, never overlapping: two each from
    four dimensions on, one each from two or three; weakest listed lowest first."""
    ranked = sorted(
        (d for d in snapshot.score.dimensions if d.score is not None),
        key=lambda d: -d.score,  # sorted() is stable: ties keep bank order
    )
    k = min(2, len(ranked) // 2)
    if k == 0:
        return [], []
    return ranked[:k], list(reversed(ranked[-k:]))


def strengths_sentence(snapshot: AssessmentSnapshot) -> str | None:
    strongest, weakest = strongest_and_weakest(snapshot)
    if not strongest:
        return None

    def listed(dims) -> str:
        return _(" and ").join(f"{d.name} ({d.score:.1f})" for d in dims)

    text = _("Strongest: %(strong)s. Weakest: %(weak)s.") % {
        "strong": listed(strongest),
        "weak": listed(weakest),
    }
    scores = [d.score for d in snapshot.score.dimensions if d.score is not None]
    if max(scores) - min(scores) < CLOSE_POINTS:
        text += " " + _(
            "All dimensions score within %(points)s points of each other, so this ranking says "
            "little."
        ) % {"points": f"{CLOSE_POINTS:g}"}
    elif strongest[-1].score - max(d.score for d in weakest) < CLOSE_POINTS:
        text += " " + _(
            "%(a)s and %(b)s are within %(points)s points of each other, so the line between "
            "strongest and weakest is not clear-cut."
        ) % {
            "a": strongest[-1].name,
            "b": max(weakest, key=lambda d: d.score).name,
            "points": f"{CLOSE_POINTS:g}",
        }
    return text
