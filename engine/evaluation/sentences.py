"""Sentences people type to steer, for the ``steering_text`` protocol.

The steering protocol adds a bare category name as a line; people write
sentences. Each template is an everyday way of saying "more of this" or
"none of this" about a category, with ``{}`` for its name, lowercased as
people type it. None of them is the bare name, and the parser sees them as
it sees typing (profiles.parser), the label read as serving reads it
(engine.concepts). A case draws one template at random (seeded).
"""

LIKE_TEMPLATES = (
    "I'm a big fan of {}",
    "can't get enough of {}",
    "more {} please",
    "{} never gets old",
    "give me {}",
    "hooked on {} lately",
    "always up for some {}",
    "I really love {} titles",
    "craving {}",
    "{} is my thing",
)
AVOID_TEMPLATES = (
    "steer clear of {}",
    "{} bores me",
    "I'm done with {}",
    "{} isn't for me",
    "rather not {}",
    "no more {} please",
    "{}, never again",
    "pass on {}",
    "not a fan of {} titles",
    "I can't stand {}",
)


def sentence(template: str, category: str) -> str:
    """``template`` about ``category`` as a person types it: "Sci-Fi" -> "sci-fi"."""
    return template.format(category.lower())
