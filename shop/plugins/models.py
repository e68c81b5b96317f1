from django.db import models


class PluginConfiguration(models.Model):
    """The stored state of one plugin; a plugin without a row runs on its defaults."""

    plugin_id = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=False)
    configuration = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plugin_id"]
        # Granted to the staff who may edit plugins (payment keys among them).
        permissions = [("manage_plugins", "Can manage plugins")]

    def __str__(self):
        return self.plugin_id


class PluginEventFailure(models.Model):
    """An event hook that raised: the request went on, this row says what broke."""

    plugin_id = models.CharField(max_length=100, db_index=True)
    event = models.CharField(max_length=100)
    error = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.plugin_id}.{self.event}: {self.error[:60]}"
