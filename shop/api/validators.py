"""Validators shared by the models and the serializers that store text people
type (the admin forms get them from the models)."""

import re

from django.core.exceptions import ValidationError

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder
# how the text around them is displayed, so "moc.elgoog" can read as "google.com".
# The plain marks (U+200E, U+200F, U+061C) that right-to-left text needs stay.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def reject_bidi_controls(value: str) -> None:
    """Refused rather than stripped: the shopper sees what was wrong, and what is
    stored is what they wrote."""
    match = BIDI_CONTROLS.search(value or "")
    if match:
        raise ValidationError(
            "Contains a bidirectional control character (U+%(code)04X), which can "
            "disguise text.",
            code="bidi_control",
            params={"code": ord(match.group())},
        )
