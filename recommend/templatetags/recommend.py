"""Recommendations for the theme templates: the product page's "you may also
like" and the Recommendations block. Here rather than in cms, so that the catalog
does not depend on the recommender (cms sits below recommend)."""

from django import template

from recommend import storefront

register = template.Library()


@register.simple_tag
def also_like(product):
    """`{% also_like page as products %}`: cards of products like this one."""
    return storefront.also_like(product)


@register.simple_tag(takes_context=True)
def recommended_products(context, value):
    """`{% recommended_products value as products %}`: the cards a
    Recommendations block (its StructValue) shows to the request's shopper."""
    return storefront.block_cards(value, context.get("request"))
