"""Input of the engine's pages: catalog filters, item buttons, list controls, previews."""

from django import forms

from engine.steering import ACTIONS
from profiles.forms import LineChoicesField
from profiles.parser import MAX_STATEMENT_LENGTH, MAX_STATEMENTS, MAX_TOTAL_LENGTH

# Ids and revision numbers are PostgreSQL integers: larger ones are bad input.
MAX_ID = 2**63 - 1
MAX_REVISION = 2**31 - 1

MAX_QUERY_LENGTH = 200
YEAR_MIN = 0
YEAR_MAX = 2200


class CatalogFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH, label="Search")
    category = forms.CharField(required=False, max_length=100)
    year_from = forms.IntegerField(
        required=False, min_value=YEAR_MIN, max_value=YEAR_MAX, label="From year"
    )
    year_to = forms.IntegerField(
        required=False, min_value=YEAR_MIN, max_value=YEAR_MAX, label="To year"
    )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("year_from"), cleaned.get("year_to")
        if low is not None and high is not None and low > high:
            # A reversed range is an easy slip; read it the way it was meant.
            cleaned["year_from"], cleaned["year_to"] = high, low
        return cleaned


class ReactionForm(forms.Form):
    """One button of the item page: a star rating, or like/dislike/not interested.

    Pressing the reaction that is already on takes it back, as a toggle does;
    "unrate" takes the rating back.
    """

    ACTIONS = ["like", "dislike", "not_interested", "unrate"]

    rating = forms.IntegerField(required=False, min_value=1, max_value=5)
    action = forms.ChoiceField(required=False, choices=[(a, a) for a in ACTIONS])

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("rating") is None and not cleaned.get("action"):
            raise forms.ValidationError("Choose a rating or a reaction.")
        return cleaned


class ListControlsForm(forms.Form):
    """The "For you" controls: category filter, personalisation, and balance."""

    category = forms.CharField(required=False, max_length=100)
    personalised = forms.BooleanField(required=False)
    balance = forms.FloatField(required=False, min_value=0, max_value=1)


class PreviewForm(forms.Form):
    text = forms.CharField(required=False, strip=False, max_length=MAX_TOTAL_LENGTH)
    choices = LineChoicesField()  # the switches pressed beside the lines


# A preview's token holds its lines and their evidence: a few kilobytes for
# 200 ratings; the limit leaves room for the largest profile the parser allows.
MAX_TOKEN_LENGTH = 200_000


class RegenerationApplyForm(forms.Form):
    """Apply a "write it again" preview: its token (engine.regeneration)."""

    token = forms.CharField(max_length=MAX_TOKEN_LENGTH)


class SteerForm(forms.Form):
    """One control of a recommendation's reason (engine/steering.py says what each does).

    ``preview`` asks what it would do first; ``card`` is the recommendation
    whose reason holds the control (the preview shows under it) and
    ``origin`` the page it sits on.
    """

    action = forms.ChoiceField(choices=[(name, name) for name in ACTIONS])
    statement = forms.IntegerField(required=False, min_value=0, max_value=MAX_STATEMENTS - 1)
    item = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    base_revision = forms.IntegerField(required=False, min_value=0, max_value=MAX_REVISION)
    text = forms.CharField(required=False, strip=False, max_length=2 * MAX_STATEMENT_LENGTH)
    value = forms.FloatField(required=False)
    revision = forms.IntegerField(required=False, min_value=1, max_value=MAX_REVISION)
    preview = forms.BooleanField(required=False)
    category = forms.CharField(required=False, max_length=100)
    card = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    origin = forms.ChoiceField(
        required=False, choices=[("for-you", "For you"), ("item", "Item page")]
    )

    def action_fields(self) -> dict:
        names = ("statement", "item", "base_revision", "text", "value", "revision")
        data = self.cleaned_data
        fields = {name: data[name] for name in names if data.get(name) is not None}
        if data["action"] not in ("edit", "explain"):
            fields.pop("text", None)  # an empty box sent along with another button
        return fields
