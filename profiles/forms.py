from django import forms

from profiles.parser import MAX_TOTAL_LENGTH

MAX_UPLOAD_BYTES = 64 * 1024


class ProfileTextForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_TOTAL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
    )
    base_revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


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
