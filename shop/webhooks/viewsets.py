"""Webhooks admin: receivers (CRUD) and the delivery log (read-only, with
redelivery), under one "Webhooks" menu, on Wagtail's own viewsets."""

import json

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry

from shop.plugins.base import EVENT_HOOKS, ConfigField, FieldType, mask
from shop.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from shop.webhooks.services import redeliver

EVENT_CHOICES = [(event, event) for event in sorted(EVENT_HOOKS)]


class WebhookForm(WagtailAdminModelForm):
    """The secret shows once, in the form that creates the webhook (a fresh
    random one, to copy to the receiver); afterwards it is write-only, like
    plugin secrets: the edit form never renders it and leaving it empty keeps it.
    """

    target_url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["name", "target_url", "secret", "events", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        stored = mask(ConfigField("secret", FieldType.SECRET), self.instance.secret)
        field = self.fields["secret"]
        field.required = False
        field.widget = forms.PasswordInput(render_value=False)
        field.help_text = f"{field.help_text} Stored: {stored}. Leave empty to keep it."
        self.initial["secret"] = ""

    def clean_secret(self):
        return self.cleaned_data["secret"] or self.instance.secret


class WebhookViewSet(ModelViewSet):
    model = Webhook
    name = "webhooks"
    icon = "link-external"
    menu_label = "Webhooks"
    list_display = ["name", "target_url", "events", "is_active", "created"]
    list_filter = ["is_active"]
    search_fields = ["name", "target_url"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return WebhookForm


class DeliveryLogPolicy(ModelPermissionPolicy):
    """Deliveries are written by the shop only; staff read them and redeliver."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


def may_redeliver(user) -> bool:
    # Whoever manages the receivers may resend to them.
    return policy_registry.get_by_type(Webhook).user_has_permission(user, "change")


class DeliveryFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event = django_filters.ChoiceFilter(choices=EVENT_CHOICES)

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event", "webhook"]


class DeliveryInspectView(generic.InspectView):
    template_name = "webhooks/admin/delivery_inspect.html"
    redeliver_url_name = None
    fields = [
        "webhook",
        "event",
        "event_id",
        "status",
        "cycle",
        "attempts",
        "next_attempt_at",
        "created",
        "updated",
        "payload",
    ]

    def get_payload_display_value(self):
        return format_html(
            "<pre>{}</pre>", json.dumps(self.object.payload, indent=2, sort_keys=True)
        )

    @cached_property
    def header_more_buttons(self):
        if self.object.status == DeliveryStatus.PENDING or not may_redeliver(
            self.request.user
        ):
            return []
        return [
            Button(
                "Redeliver",
                url=reverse(self.redeliver_url_name, args=(self.object.pk,)),
                icon_name="resubmit",
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = self.object.attempt_log.all()
        return context


class RedeliverView(WagtailAdminTemplateMixin, TemplateView):
    """Confirms on GET, redelivers on POST."""

    template_name = "webhooks/admin/confirm_redeliver.html"
    page_title = "Redeliver"
    header_icon = "resubmit"
    inspect_url_name = None

    def dispatch(self, request, *args, pk, **kwargs):
        if not may_redeliver(request.user):
            raise PermissionDenied
        self.object = get_object_or_404(
            WebhookDelivery.objects.select_related("webhook"), pk=pk
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    def get_inspect_url(self):
        return reverse(self.inspect_url_name, args=(self.object.pk,))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["inspect_url"] = self.get_inspect_url()
        return context

    def post(self, request, *args, **kwargs):
        try:
            redeliver(self.object)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Redelivery of {self.object} queued.")
        return redirect(self.get_inspect_url())


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    name = "webhook_deliveries"
    icon = "history"
    menu_label = "Deliveries"
    list_display = [
        "event",
        "webhook",
        "status",
        "attempts",
        "next_attempt_at",
        "created",
    ]
    filterset_class = DeliveryFilterSet
    search_fields = ["event_id"]
    list_per_page = 50
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    # Never edited (see DeliveryLogPolicy), but Wagtail builds the form class.
    form_fields = []
    copy_view_enabled = False

    def get_queryset(self, request):
        return WebhookDelivery.objects.select_related("webhook")

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            redeliver_url_name=self.get_url_name("redeliver"), **kwargs
        )

    @property
    def redeliver_view(self):
        return self.construct_view(
            RedeliverView, inspect_url_name=self.get_url_name("inspect")
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("redeliver/<int:pk>/", self.redeliver_view, name="redeliver"),
        ]


class WebhooksViewSetGroup(ViewSetGroup):
    menu_label = "Webhooks"
    menu_icon = "link-external"
    menu_order = 900
    items = (WebhookViewSet, WebhookDeliveryViewSet)
