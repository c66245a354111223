"""Forms for sign-up, collections and submissions; validation messages say what to fix.

They check only the shape of the input; what is allowed (a valid arXiv id, a usable
collection name) is the domain's rule, and its refusal is shown under the field.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from paperfeed.accounts.collections import MAX_NAME


class SignupForm(UserCreationForm):
    """Username + email + password; the email is what password reset mails go to."""

    email = forms.EmailField(
        required=True, help_text="Used only to reset your password (and for digests if you subscribe)."
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists. Log in or reset your password.")
        return email


class CollectionForm(forms.Form):
    name = forms.CharField(max_length=MAX_NAME, label="Collection name")
    public = forms.BooleanField(required=False, label="Public (anyone with the link can see it, with an RSS feed)")


class RenameForm(forms.Form):
    name = forms.CharField(max_length=MAX_NAME, label="New name")


class SubmitForm(forms.Form):
    arxiv_id = forms.CharField(
        max_length=300,
        label="arXiv id or URL",
        help_text="e.g. 2604.01234, arXiv:2604.01234v2 or https://arxiv.org/abs/2604.01234",
        widget=forms.TextInput(attrs={"placeholder": "2604.01234", "autocomplete": "off", "spellcheck": "false"}),
    )
