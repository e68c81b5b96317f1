from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from cms.models import Review
from cms.viewsets import (
    ApproveReviewsBulkAction,
    CatalogViewSetGroup,
    ModerationOnlyPolicy,
    RejectReviewsBulkAction,
)

register_permission_policy(Review, ModerationOnlyPolicy(Review))
register_snippet(CatalogViewSetGroup)
hooks.register("register_bulk_action", ApproveReviewsBulkAction)
hooks.register("register_bulk_action", RejectReviewsBulkAction)
