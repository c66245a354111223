"""Forms for sign-up, the email address, collections and submissions; validation messages say what to fix.

They check only the shape of the input; what is allowed (a valid arXiv id, a usable
collection name) is the domain's rule, and its refusal is shown under the field.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from paperfeed.accounts.collections import MAX_NAME


class SignupForm(UserCreationForm):
    """Username + email + password. The address is not saved here: it is attached once its owner
    opens the link mailed to it (accounts.addresses), and the form never says whether it is taken."""

    email = forms.EmailField(
        required=True,
        help_text="We mail a link to it; once opened, it is used to reset your password (and for digests).",
    )
    field_order = ["username", "email", "password1", "password2"]

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)


class EmailForm(forms.Form):
    email = forms.EmailField(label="Email address", help_text="We mail a link to it; open it to attach the address.")


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
