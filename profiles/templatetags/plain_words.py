"""Filters that say a profile's numbers in words (see profiles.revisions)."""

from django import template

from profiles.revisions import revision_words, strength_words

register = template.Library()


@register.filter(name="strength_words")
def strength_words_filter(weight) -> str:
    """``{{ statement.weight|strength_words }}``: "fully", "a little"."""
    try:
        return strength_words(float(weight))
    except (TypeError, ValueError):
        return ""


@register.filter(name="revision_words")
def revision_words_filter(revision) -> str:
    """``{{ revision|revision_words }}``: what the revision did, in words."""
    return revision_words(revision.label, revision.cause)
