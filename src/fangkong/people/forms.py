from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import IdType, Sex, TagKind
from .services import TagData


class PersonForm(forms.Form):
    """What a grid worker types to register a resident; the service checks the rest."""

    name = forms.CharField(label=_("Name"), max_length=50)
    id_type = forms.ChoiceField(
        label=_("ID type"), choices=IdType.choices, initial=IdType.RESIDENT_ID
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    relation = forms.CharField(label=_("Relation"), max_length=20, required=False)
    birth_on = forms.DateField(
        label=_("Birth date (documents other than the resident ID card)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sex = forms.ChoiceField(
        label=_("Sex (documents other than the resident ID card)"),
        choices=[("", "—"), *Sex.choices],
        required=False,
    )
    tags = forms.MultipleChoiceField(
        label=_("Tags"),
        choices=TagKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    returned_from = forms.CharField(
        label=_("Returnee: returned from"), max_length=100, required=False
    )
    returned_on = forms.DateField(
        label=_("Returnee: date of return"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def tag_data(self) -> list[TagData]:
        """The ticked tags, the returnee's place and date attached."""
        data = self.cleaned_data
        return [
            TagData(k, place=data["returned_from"], event_on=data["returned_on"])
            if k == TagKind.RETURNEE
            else TagData(k)
            for k in data["tags"]
        ]
