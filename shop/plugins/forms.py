"""The admin form of one plugin, built from its CONFIG_FIELDS."""

from django import forms
from django.core.exceptions import ValidationError

from shop.plugins.base import BasePlugin, ConfigField, FieldType, mask
from shop.plugins.services import save_plugin_configuration

# Named apart from configuration fields, so a plugin may have one called "active".
ACTIVE = "plugin_active"


def form_field(field: ConfigField, value) -> forms.Field:
    label = field.label or field.name.replace("_", " ").capitalize()
    common = {"label": label, "help_text": field.help_text, "initial": value}
    if field.type == FieldType.BOOLEAN:
        return forms.BooleanField(required=False, **common)
    if field.type == FieldType.MULTILINE:
        return forms.CharField(
            required=field.required,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 8}),
            **common,
        )
    if field.type in (FieldType.SECRET, FieldType.PASSWORD):
        # The stored value never reaches the page; empty keeps it.
        stored = mask(field, value)
        hint = f"Stored: {stored}. Leave empty to keep it." if stored else "Not set."
        common.update(
            initial="", help_text=" ".join(filter(None, [field.help_text, hint]))
        )
        return forms.CharField(
            required=False,
            strip=False,
            widget=forms.PasswordInput(render_value=False),
            **common,
        )
    if field.type == FieldType.OUTPUT:
        return forms.CharField(required=False, disabled=True, **common)
    return forms.CharField(required=field.required, **common)


class PluginConfigurationForm(forms.Form):
    def __init__(self, plugin: BasePlugin, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plugin = plugin
        self.fields[ACTIVE] = forms.BooleanField(
            label="Active", required=False, initial=plugin.active
        )
        for field in plugin.CONFIG_FIELDS:
            self.fields[field.name] = form_field(
                field, plugin.configuration.get(field.name, field.default)
            )

    def posted(self, field: ConfigField):
        value = self.cleaned_data[field.name]
        if field.type == FieldType.MULTILINE:
            # Browsers post CRLF; stored text uses plain newlines.
            return value.replace("\r\n", "\n")
        return value

    def save(self):
        """Saves through the service; its ValidationError becomes form errors.

        Returns the saved row, or None when the service refused the values.
        """
        changes = {
            field.name: self.posted(field)
            for field in self.plugin.CONFIG_FIELDS
            if field.type != FieldType.OUTPUT
        }
        try:
            return save_plugin_configuration(
                self.plugin.PLUGIN_ID,
                active=self.cleaned_data[ACTIVE],
                changes=changes,
            )
        except ValidationError as error:
            for name, messages in getattr(
                error, "message_dict", {None: error.messages}
            ).items():
                self.add_error(name if name in self.fields else None, messages)
            return None
