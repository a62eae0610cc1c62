from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.validators import URL, Email, InputRequired, ValidationError

from network.core.fields import ButtonChoiceField, CheckboxesField, CheckboxField, ChoiceField
from network.core.forms import (
    Form,
    SearchForm,
    VersionField,
    email_field,
    lower_strip,
    options,
    text_field,
    textarea_field,
)
from network.extensions import db
from network.members.models import (
    ORG_KIND_LABELS,
    Area,
    Organisation,
    OrgKind,
    OrgStatus,
    Theme,
)
from network.members.services import NAME_TAKEN, live_entries, name_taken

DESCRIPTION_MAX = 3000


def live_choices(model) -> list:
    return options(*((str(row.id), row.name) for row in live_entries(model)))


def kind_choices() -> list:
    return options(*((kind.value, label) for kind, label in ORG_KIND_LABELS.items()))


class OrganisationProfileForm(Form):
    """What an organisation says about itself: filled in to join, edited by its contacts."""

    name = text_field(_l("Name of the organisation"), 120)
    kind = ChoiceField(_l("What kind of organisation is it?"),
                       validators=[InputRequired(_l("Choose one."))],
                       invalid=_l("Choose one of the kinds listed."))
    area = ChoiceField(_l("Neighbourhood area"), invalid=_l("Choose one of the areas listed."),
                       description=_l("Where most of your work happens."))
    themes = CheckboxesField(_l("Themes you work on"), invalid=_l("Choose from the themes "
                                                                 "listed."),
                             description=_l("Choose any that fit."))
    description = textarea_field(_l("What the organisation does"), DESCRIPTION_MAX,
                             optional=False,
                             description=_l("A few sentences. You can use Markdown."))
    contribution = textarea_field(_l("What you bring to the table"), DESCRIPTION_MAX,
                              description=_l("Premises, equipment, skills, time, contacts "
                                             "you could share with other groups."))
    governing_document = text_field(
        _l("Governing document or mandate"), 300,
        description=_l("For example: constitution adopted at our 2021 AGM; or a mandate "
                       "from a residents' meeting."))
    registered_number = text_field(_l("Registered charity or company number, if any"), 40,
                                   optional=True)
    website = text_field(_l("Website"), 200, optional=True,
                         render_kw={"inputmode": "url", "placeholder": "https://"})
    public_email = text_field(_l("Public email address"), 254, optional=True,
                              description=_l("Shown to everyone on your page."),
                              render_kw={"inputmode": "email"})
    phone = text_field(_l("Public phone number"), 40, optional=True,
                       render_kw={"inputmode": "tel", "autocomplete": "off"})

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.kind.choices = [*options(("", _l("Choose…"))), *kind_choices()]
        self.area.choices = [*options(("", _l("Borough-wide, or not sure"))),
                             *live_choices(Area)]
        self.themes.choices = live_choices(Theme)

    def validate_name(self, field):
        if name_taken(field.data, besides=self.organisation):
            raise ValidationError(NAME_TAKEN)

    # After the length check: a field too long is told that, and only that.
    def validate_website(self, field):
        if field.data and not field.errors:
            if not field.data.startswith(("http://", "https://")):
                field.data = "https://" + field.data
            URL(message=_l("That does not look like a web address."))(self, field)

    def validate_public_email(self, field):
        if field.data and not field.errors:
            field.data = lower_strip(field.data)
            Email(message=_l("That does not look like an email address."),
                  check_deliverability=False)(self, field)

    def profile_values(self) -> dict:
        """The submitted profile as model values, areas and themes loaded."""
        area_id = int(self.area.data) if self.area.data else None
        theme_ids = [int(value) for value in self.themes.data or []]
        themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids))
                                         .order_by(Theme.name))) if theme_ids else []
        return {
            "name": self.name.data,
            "kind": OrgKind(self.kind.data),
            "area": db.session.get(Area, area_id) if area_id else None,
            "themes": themes,
            "description": self.description.data or "",
            "contribution": self.contribution.data or "",
            "governing_document": self.governing_document.data or "",
            "registered_number": self.registered_number.data or "",
            "website": self.website.data or "",
            "public_email": self.public_email.data or "",
            "phone": self.phone.data or "",
        }


class JoinForm(OrganisationProfileForm):
    contact_name = text_field(_l("Your name"), 80, render_kw={"autocomplete": "name"})
    contact_email = email_field(_l("Your email address"),
                                description=_l("We send the invitation to join here."))
    message = textarea_field(_l("Anything else the coordinators should know?"), 2000)
    agree_memorandum = CheckboxField(
        _l("We have read the memorandum of understanding and agree to it"),
        must_tick=_l("To join, your organisation needs to agree to the memorandum of "
                     "understanding."),
    )

    def validate_name(self, field):
        """Not here: the refusal tells whether a name has applied, so it counts towards the
        connection's limit, and the service (members.services.apply) tells it."""


class EditOrganisationForm(OrganisationProfileForm):
    version = VersionField()


class InviteForm(Form):
    email = email_field(_l("Their email address"))
    name = text_field(_l("Their name"), 80, optional=True)
    as_contact = CheckboxField(_l("Make them a contact too (they can edit this page and "
                                 "invite people)"))


class ContactForm(Form):
    """The buttons on an organisation's people page that make someone a contact, or not."""

    contact = ButtonChoiceField(choices=options(("1", _l("Make a contact")),
                                                ("0", _l("No longer a contact"))),
                                invalid=_l("Choose to make them a contact or not, with the "
                                           "buttons beside their name."))


class OrganisationStatusForm(Form):
    status = ChoiceField(_l("Status"), choices=options(
        (OrgStatus.APPROVED.value, _l("Member in good standing")),
        (OrgStatus.SUSPENDED.value, _l("Suspended")),
        (OrgStatus.LEFT.value, _l("Has left the network")),
    ), invalid=_l("Choose one of the statuses listed."))
    reason = textarea_field(_l("Reason"), 500,
                        description=_l("Needed to suspend or to record leaving. The "
                                       "organisation's contacts see it."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (not self.status.errors and self.status.data != OrgStatus.APPROVED.value
                and not self.reason.data):
            self.reason.errors = [*self.reason.errors, _l("Give the reason.")]
            return False
        return valid


class DirectoryFilterForm(SearchForm):
    q = text_field(_l("Name contains"), 80, optional=True, render_kw={"type": "search"})
    area = ChoiceField(_l("Area"), default="", invalid=_l("Choose one of the areas listed."))
    theme = ChoiceField(_l("Theme"), default="", invalid=_l("Choose one of the themes listed."))
    kind = ChoiceField(_l("Kind"), default="", invalid=_l("Choose one of the kinds listed."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [*options(("", _l("Any area"))), *live_choices(Area)]
        self.theme.choices = [*options(("", _l("Any theme"))), *live_choices(Theme)]
        self.kind.choices = [*options(("", _l("Any kind"))), *kind_choices()]

    # Call after validate(): a value that is not offered is told, and filters nothing.
    def chosen_id(self, field) -> int | None:
        value = self.chosen(field)
        return int(value) if value else None

    def chosen_kind(self) -> OrgKind | None:
        return OrgKind(self.kind.data) if self.kind.data and not self.kind.errors else None


class JoinSentForm(SearchForm):
    """?name=: the organisation that has just applied, to thank it by name."""

    name = text_field(_l("Name"), 120, optional=True)
