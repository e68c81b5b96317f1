"""The storefront's forms: parse a shopper's post; services decide the rest."""

from django import forms
from django.conf import settings

from cms.models import REVIEW_BODY_MAX_LENGTH
from shop.api.validators import reject_bidi_controls


class AddToCartForm(forms.Form):
    # The product page to show again with the refusal beside the form.
    product = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    variant = forms.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"required": "Choose a size and colour."},
    )
    quantity = forms.IntegerField(
        min_value=1, max_value=settings.CART_MAX_LINE_QUANTITY, initial=1
    )


class CartLineForm(forms.Form):
    """A line's new quantity, or its removal (`remove` sent)."""

    line = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = forms.IntegerField(
        min_value=0, max_value=settings.CART_MAX_LINE_QUANTITY, required=False
    )
    remove = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("remove") and data.get("quantity") is None:
            self.add_error("quantity", "Enter a quantity.")
        return data


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(str(n), f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        max_length=200, required=False, validators=[reject_bidi_controls]
    )
    body = forms.CharField(
        label="Your review",
        max_length=REVIEW_BODY_MAX_LENGTH,
        required=False,
        validators=[reject_bidi_controls],
        widget=forms.Textarea(attrs={"rows": 5}),
    )
