from django.shortcuts import get_list_or_404
from django.utils.functional import classproperty
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet

from cms.models import Review, ReviewStatus
from cms.services.reviews import set_review_status
from cms.viewsets import CatalogViewSetGroup, ModerationOnlyPolicy

register_permission_policy(Review, ModerationOnlyPolicy(Review))
register_snippet(CatalogViewSetGroup)


class ModerateReviewsBulkAction(SnippetBulkAction):
    """Sets the status of the selected reviews through the review service."""

    status = None
    template_name = "cms/admin/confirm_bulk_moderate.html"

    @classproperty
    def models(cls):
        return [Review]

    @classmethod
    def get_queryset(cls, model, object_ids):
        return get_list_or_404(
            Review.objects.select_related("product"), pk__in=object_ids
        )

    def check_perm(self, review):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", review
        )

    @classmethod
    def execute_action(cls, objects, **kwargs):
        for review in objects:
            set_review_status(review, cls.status)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{num_parent_objects} review(s) {self.display_name.lower()}d."


@hooks.register("register_bulk_action")
class ApproveReviewsBulkAction(ModerateReviewsBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve selected reviews"
    status = ReviewStatus.APPROVED
    action_priority = 10


@hooks.register("register_bulk_action")
class RejectReviewsBulkAction(ModerateReviewsBulkAction):
    display_name = "Reject"
    action_type = "reject"
    aria_label = "Reject selected reviews"
    status = ReviewStatus.REJECTED
    action_priority = 20
