"""Synthetic question banks of any size, for tests and benchmarks."""

from .io import MODEL_CODES, validate_bank


def likert_bank(
    *,
    slug: str,
    version: int = 1,
    dimensions: int = 2,
    questions_per_dimension: int = 2,
    question_text: str = "Question {dimension} {index}",
) -> dict:
    """A valid, normalised bank of Likert questions with distinct model profiles."""
    codes = [f"d{d}" for d in range(dimensions)]
    return validate_bank(
        {
            "slug": slug,
            "version": version,
            "title": f"Synthetic bank {slug}",
            "dimensions": [
                {
                    "code": code,
                    "name": f"Dimension {code}",
                    "questions": [
                        {
                            "code": f"{code}-{i:03d}",
                            "text": question_text.format(dimension=code, index=i),
                            "kind": "likert",
                        }
                        for i in range(questions_per_dimension)
                    ],
                    "recommendations": [{"below": 50, "text": f"Improve {code}."}],
                }
                for code in codes
            ],
            "models": [
                {
                    "code": model,
                    "name": model.title(),
                    "description": "Synthetic model.",
                    "strengths": "Synthetic strengths.",
                    "weaknesses": "Synthetic weaknesses.",
                    "profile": [
                        {
                            "dimension": code,
                            "target": (20 + 30 * m + 10 * d) % 100,
                            "rationale": "r",
                        }
                        for d, code in enumerate(codes)
                    ],
                }
                for m, model in enumerate(MODEL_CODES)
            ],
            "maturity_bands": [
                {"min": 0, "max": 50, "label": "Low"},
                {"min": 50, "max": 100, "label": "High"},
            ],
        },
        source=slug,
    )
