"""The subscribe form: the one place subscriber input is validated.

Email addresses end up in SMTP headers and keywords in email bodies, so anything with
control characters (CR/LF header injection), absurd lengths or a non-address is refused
here with an error that names the field, before it reaches a service.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings

from paperfeed.digests.models import Subscription
from paperfeed.papers.arxiv import CONTROL_OR_LINE_BREAK_RE

MAX_EMAIL = 254
MAX_KEYWORDS = 10
MAX_KEYWORD_LEN = 60
_KEYWORD_OK = re.compile(r"^[\w][\w .+#'/-]*$", re.UNICODE)


def category_choices() -> list[tuple[str, str]]:
    return [(c, c) for c in settings.CATEGORIES]


class SubscribeForm(forms.Form):
    email = forms.CharField(max_length=2000, strip=False, label="Email address")
    frequency = forms.ChoiceField(choices=Subscription.Frequency.choices, initial="daily")
    categories = forms.MultipleChoiceField(
        choices=category_choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked means every category.",
    )
    keywords = forms.CharField(
        required=False, max_length=2000, strip=False,
        help_text="Optional, comma-separated: only papers mentioning one of them.",
    )
    include_picks = forms.BooleanField(required=False, label="Include picks for you (members)")

    def __init__(self, *args, user=None, **kwargs):
        self.user = user if (user is not None and user.is_authenticated) else None
        super().__init__(*args, **kwargs)
        if self.user is None:
            self.fields["include_picks"].disabled = True
            self.fields["include_picks"].help_text = "Log in to get personal picks."

    def clean_email(self) -> str:
        raw = self.cleaned_data["email"]
        if CONTROL_OR_LINE_BREAK_RE.search(raw):
            raise forms.ValidationError("Email address must be one line without control characters.")
        value = raw.strip()
        if len(value) > MAX_EMAIL:
            raise forms.ValidationError(f"Email address is too long ({len(value)} characters, at most {MAX_EMAIL}).")
        if not value:
            raise forms.ValidationError("Email address is required.")
        try:
            forms.EmailField().clean(value)
        except forms.ValidationError:
            raise forms.ValidationError(f"{value[:80]!r} is not a valid email address.") from None
        if any(ch in value for ch in ',;<>"'):
            raise forms.ValidationError("Enter a single email address, without a display name.")
        return value.lower()

    def clean_keywords(self) -> list[str]:
        raw = self.cleaned_data.get("keywords") or ""
        if CONTROL_OR_LINE_BREAK_RE.search(raw):
            raise forms.ValidationError("Keywords must be one line without control characters.")
        words = [w.strip() for w in raw.split(",") if w.strip()]
        if len(words) > MAX_KEYWORDS:
            raise forms.ValidationError(f"At most {MAX_KEYWORDS} keywords (got {len(words)}).")
        seen: list[str] = []
        for word in words:
            if len(word) > MAX_KEYWORD_LEN:
                raise forms.ValidationError(f"Keyword {word[:20]!r}… is too long (at most {MAX_KEYWORD_LEN} characters).")
            if not _KEYWORD_OK.match(word):
                raise forms.ValidationError(
                    f"Keyword {word[:40]!r} may only contain letters, digits, spaces and . + # ' / -"
                )
            if word.lower() not in seen:
                seen.append(word.lower())
        return seen

    def clean_include_picks(self) -> bool:
        return bool(self.cleaned_data.get("include_picks")) and self.user is not None

    def preferences(self) -> dict:
        data = self.cleaned_data
        return {
            "frequency": data["frequency"],
            "categories": sorted(data.get("categories") or []),
            "keywords": data.get("keywords") or [],
            "include_picks": data.get("include_picks", False),
        }
