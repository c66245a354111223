"""Page sizes of the list endpoints: Hugging Face's daily_papers defaults to 50 and caps at 100.

Fixed constants, not knobs: a client written for huggingface.co relies on the same bounds.
"""

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_PAGE = 10_000
