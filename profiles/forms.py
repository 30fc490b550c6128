import json

from django import forms
from django.contrib.auth.forms import UserCreationForm

from profiles.models import CONCEPT_MAX_LENGTH, Statement
from profiles.parser import MAX_STATEMENT_LENGTH, MAX_STATEMENTS, MAX_TOTAL_LENGTH
from profiles.services import LineChoice

MAX_UPLOAD_BYTES = 64 * 1024


class LineChoicesField(forms.CharField):
    """The switches pressed in the editor's preview, as JSON:
    ``{"line text": {"concept": "Romance", "polarity": "like"}, ...}`` (either
    key may be left out) -> line text -> ``LineChoice``. Empty: none."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            required=False,
            max_length=MAX_TOTAL_LENGTH,
            widget=forms.HiddenInput(attrs={"data-testid": "line-choices"}),
            **kwargs,
        )

    def to_python(self, value) -> dict[str, LineChoice]:
        value = super().to_python(value)
        if not value:
            return {}
        try:
            data = json.loads(value)
        except ValueError:
            raise forms.ValidationError("The choices beside the lines could not be read.") from None
        if not isinstance(data, dict) or len(data) > MAX_STATEMENTS:
            raise forms.ValidationError("The choices beside the lines could not be read.")
        choices = {}
        for text, choice in data.items():
            if not isinstance(choice, dict) or not len(text) <= MAX_STATEMENT_LENGTH:
                raise forms.ValidationError("The choices beside the lines could not be read.")
            concept, polarity = choice.get("concept"), choice.get("polarity")
            if concept is not None and (
                not isinstance(concept, str) or len(concept) > CONCEPT_MAX_LENGTH
            ):
                raise forms.ValidationError(f"The label chosen for “{text}” could not be read.")
            if polarity is not None and polarity not in Statement.Polarity.values:
                raise forms.ValidationError(f"The reading chosen for “{text}” could not be read.")
            choices[" ".join(text.split())] = LineChoice(concept=concept, polarity=polarity)
        return choices


class ProfileTextForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_TOTAL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
    )
    base_revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    choices = LineChoicesField()

    def clean(self):
        # The choices field is hidden: its error is shown where the person looks.
        for error in self.errors.pop("choices", []):
            self.add_error("text", error)
        return super().clean()


class ProfileUploadForm(forms.Form):
    file = forms.FileField(help_text="A profile exported as JSON, or plain profile text.")
    base_revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // 1024} KB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


class UndoForm(forms.Form):
    base_revision = forms.IntegerField(min_value=0)


class StatementForm(forms.Form):
    """One line's polarity, strength and pin, as the statement list edits them."""

    polarity = forms.ChoiceField(choices=Statement.Polarity.choices)
    weight = forms.FloatField(min_value=0, max_value=1, label="Strength")
    pinned = forms.BooleanField(required=False, label="Pinned")
    base_revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class OnboardingForm(forms.Form):
    """A new person's first lines: things they like and things they would rather avoid."""

    likes = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_TOTAL_LENGTH,
        label="Things you like",
        help_text="One per line: a genre, a theme, a mood, a title you loved.",
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "placeholder": "Slow-burn science fiction about first contact\n"
                "Witty courtroom dramas\nCozy village mysteries",
            }
        ),
    )
    avoids = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_TOTAL_LENGTH,
        label="Things you would rather avoid",
        help_text="One per line. Leave it empty if nothing comes to mind.",
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "Gory slasher horror\nLong war epics"}
        ),
    )
    base_revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        lines = self.lines(cleaned.get("likes", "")) + self.lines(cleaned.get("avoids", ""))
        if not self.errors and not lines:
            raise forms.ValidationError("Type at least one thing you like or want to avoid.")
        for field in ("likes", "avoids"):
            for number, line in enumerate(self.lines(cleaned.get(field, "")), 1):
                if len(line) > MAX_STATEMENT_LENGTH:
                    self.add_error(
                        field,
                        f"Line {number} is {len(line)} characters long; "
                        f"keep each line under {MAX_STATEMENT_LENGTH}.",
                    )
        return cleaned

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Key name",
        help_text="So you can tell your keys apart, e.g. “reading app on my phone”.",
    )


class AccountDeleteForm(forms.Form):
    """Deleting an account asks for its password: a borrowed session is not enough."""

    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autofocus": True})
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class SignupForm(UserCreationForm):
    """A username and a password (checked by AUTH_PASSWORD_VALIDATORS); email is optional."""

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")
