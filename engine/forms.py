"""Input of the engine's pages: catalog filters, item buttons, list controls, previews."""

from django import forms

from profiles.parser import MAX_TOTAL_LENGTH

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
