"""drf-spectacular hooks."""


def public_api_only(endpoints, **kwargs):
    """Keep the versioned public API; Wagtail's internal admin API is not ours."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v")]
