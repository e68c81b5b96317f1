"""Catalog pages outside the page tree: search, and the review form's post.
Category and product pages are Wagtail pages (cms.models); they list products
through the same cms.listing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cms.listing import cards, product_listing
from cms.models import ProductPage, ReviewStatus
from cms.services import reviews
from cms.services.reviews import ReviewError
from shop.storefront.forms import ReviewForm

SEARCH_RESULTS_PER_PAGE = 24


@require_safe
def search(request):
    """Full-text search with the category page's filters, sort and pages;
    without a query, the whole catalog by popularity."""
    query = request.GET.get("q", "").strip()
    listing = product_listing(
        request.GET,
        cards(),
        per_page=SEARCH_RESULTS_PER_PAGE,
        default_ordering="" if query else "popularity",
    )
    return render(
        request, "storefront/search.html", {"listing": listing, "query": query}
    )


@never_cache
@require_POST
@login_required
def write_review(request, product_id: int):
    """A signed-in shopper's review, from the form on the product page."""
    product = get_object_or_404(ProductPage.objects.live(), pk=product_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review = reviews.submit_review(request.user, product, **form.cleaned_data)
        except ReviewError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                "Thank you: your review is published."
                if review.status == ReviewStatus.APPROVED
                else "Thank you: your review will appear once it is approved.",
            )
            return redirect(product.get_url(request) + "#reviews")
    context = product.get_context(request)
    context["review_form"] = form
    return TemplateResponse(request, product.get_template(request), context, status=400)
