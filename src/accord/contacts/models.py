"""Companies, contacts and their child rows.

Single-row truth only: constraints, choices, cheap display helpers. Every write goes
through ``accord.contacts.services``; the denormalised columns (``Contact.email``,
``Contact.phone``, ``Company.domain``, ``Company.phone``) are kept equal to the primary
child row by those services and make lists, look-ups and dedupe fast.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accord.core.models import CustomFieldsMixin, OwnedModel, TimeStampedModel


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    MARKETING_QUALIFIED = "marketing_qualified", _("Marketing qualified lead")
    SALES_QUALIFIED = "sales_qualified", _("Sales qualified lead")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")
    EVANGELIST = "evangelist", _("Evangelist")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    ATTEMPTED = "attempted_to_contact", _("Attempted to contact")
    CONNECTED = "connected", _("Connected")
    OPEN_DEAL = "open_deal", _("Open deal")
    UNQUALIFIED = "unqualified", _("Unqualified")
    BAD_TIMING = "bad_timing", _("Bad timing")


class LeadSource(models.TextChoices):
    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    ADVERTISING = "advertising", _("Advertising")
    EMAIL = "email", _("Email campaign")
    SOCIAL = "social", _("Social media")
    PARTNER = "partner", _("Partner")
    COLD_OUTREACH = "cold_outreach", _("Cold outreach")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class CompanySize(models.TextChoices):
    S1 = "1-10", _("1 to 10 employees")
    S11 = "11-50", _("11 to 50 employees")
    S51 = "51-200", _("51 to 200 employees")
    S201 = "201-500", _("201 to 500 employees")
    S501 = "501-1000", _("501 to 1,000 employees")
    S1001 = "1001-5000", _("1,001 to 5,000 employees")
    S5001 = "5001-10000", _("5,001 to 10,000 employees")
    S10001 = "10001+", _("More than 10,000 employees")


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    WORK = "work", _("Work")
    HOME = "home", _("Home")
    FAX = "fax", _("Fax")
    OTHER = "other", _("Other")


class EmailKind(models.TextChoices):
    WORK = "work", _("Work")
    PERSONAL = "personal", _("Personal")
    OTHER = "other", _("Other")


class AddressKind(models.TextChoices):
    WORK = "work", _("Work")
    HOME = "home", _("Home")
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping")
    OTHER = "other", _("Other")


class SocialKind(models.TextChoices):
    LINKEDIN = "linkedin", _("LinkedIn")
    X = "x", _("X (Twitter)")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    GITHUB = "github", _("GitHub")
    MASTODON = "mastodon", _("Mastodon")
    YOUTUBE = "youtube", _("YouTube")
    OTHER = "other", _("Other")


class Tag(TimeStampedModel):
    """A label shared by contacts and companies; names are unique ignoring case."""

    name = models.CharField(_("name"), max_length=60)
    color = models.CharField(_("colour"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="contacts_tag_name_ci_unique"),
        ]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Company(OwnedModel, CustomFieldsMixin, TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(
        _("primary domain"), max_length=253, blank=True, help_text=_("Kept by the services.")
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=20, blank=True, choices=CompanySize.choices)
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    phone = models.CharField(
        _("primary phone"), max_length=32, blank=True, help_text=_("E.164; kept by the services.")
    )
    website = models.URLField(_("website"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subsidiaries",
        verbose_name=_("parent company"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="companies", verbose_name=_("tags"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["name", "id"], name="contacts_company_name_idx"),
            models.Index(Lower("name"), name="contacts_company_lname_idx"),
            models.Index(fields=["industry", "id"], name="contacts_company_industry_idx"),
            models.Index(fields=["size", "id"], name="contacts_company_size_idx"),
            models.Index(fields=["annual_revenue", "id"], name="contacts_company_revenue_idx"),
            models.Index(fields=["created_at", "id"], name="contacts_company_created_idx"),
            models.Index(fields=["updated_at", "id"], name="contacts_company_updated_idx"),
            models.Index(fields=["domain"], name="contacts_company_domain_idx"),
            models.Index(fields=["phone"], name="contacts_company_phone_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="contacts_company_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(OwnedModel, CustomFieldsMixin, TimeStampedModel):
    prefix = models.CharField(_("prefix"), max_length=30, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    suffix = models.CharField(_("suffix"), max_length=30, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    email = models.EmailField(
        _("primary email"), max_length=254, blank=True, help_text=_("Kept by the services.")
    )
    phone = models.CharField(
        _("primary phone"), max_length=32, blank=True, help_text=_("E.164; kept by the services.")
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("company"),
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=30,
        blank=True,
        choices=LifecycleStage.choices,
        default=LifecycleStage.LEAD,
    )
    lifecycle_stage_at = models.DateTimeField(_("stage reached at"), null=True, blank=True)
    lead_status = models.CharField(
        _("lead status"), max_length=30, blank=True, choices=LeadStatus.choices
    )
    lead_source = models.CharField(
        _("lead source"), max_length=30, blank=True, choices=LeadSource.choices
    )
    description = models.TextField(_("notes"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts", verbose_name=_("tags"))
    # Consent.
    email_opt_in = models.BooleanField(_("email marketing opt-in"), default=False)
    email_opt_in_source = models.CharField(_("opt-in source"), max_length=100, blank=True)
    email_opt_in_at = models.DateTimeField(_("opted in at"), null=True, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    # Contact frequency, maintained by the activities app.
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    next_activity_at = models.DateTimeField(_("next activity"), null=True, blank=True)
    touches_30d = models.PositiveIntegerField(_("touches (30 days)"), default=0)
    touches_90d = models.PositiveIntegerField(_("touches (90 days)"), default=0)
    # Privacy.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(
                fields=["last_name", "first_name", "id"], name="contacts_contact_name_idx"
            ),
            models.Index(fields=["first_name", "id"], name="contacts_contact_first_idx"),
            models.Index(fields=["email"], name="contacts_contact_email_idx"),
            models.Index(fields=["phone"], name="contacts_contact_phone_idx"),
            models.Index(fields=["lifecycle_stage", "id"], name="contacts_contact_stage_idx"),
            models.Index(fields=["lead_status", "id"], name="contacts_contact_status_idx"),
            models.Index(fields=["lead_source", "id"], name="contacts_contact_source_idx"),
            models.Index(fields=["job_title", "id"], name="contacts_contact_title_idx"),
            models.Index(fields=["created_at", "id"], name="contacts_contact_created_idx"),
            models.Index(fields=["updated_at", "id"], name="contacts_contact_updated_idx"),
            models.Index(fields=["last_contacted_at", "id"], name="contacts_contact_lastc_idx"),
            models.Index(fields=["next_activity_at", "id"], name="contacts_contact_next_idx"),
            models.Index(fields=["lifecycle_stage_at", "id"], name="contacts_contact_stageat_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def full_name(self) -> str:
        """First, middle and last name."""
        parts = (self.first_name, self.middle_name, self.last_name)
        return " ".join(p for p in parts if p)

    @property
    def formal_name(self) -> str:
        """Prefix, name parts and suffix ("Dr. Ada B. Lovelace, PhD")."""
        name = " ".join(p for p in (self.prefix, self.full_name) if p)
        return f"{name}, {self.suffix}" if self.suffix and name else name or self.suffix

    @property
    def display_name(self) -> str:
        """What lists and links show: the full name, else the email, else the phone."""
        return self.full_name or self.email or self.phone or f"#{self.pk}"

    @property
    def initials(self) -> str:
        letters = [p[0] for p in (self.first_name, self.last_name) if p]
        if not letters:
            letters = [self.display_name[:1]]
        return "".join(letters).upper()

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class ContactEmail(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(_("email"), max_length=254)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EmailKind.choices, default=EmailKind.WORK
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-is_primary", "position", "id"]
        indexes = [models.Index(fields=["email"], name="contacts_email_email_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(is_primary=True),
                name="contacts_email_one_primary",
            ),
            models.UniqueConstraint(fields=["contact", "email"], name="contacts_email_unique"),
        ]

    def __str__(self) -> str:
        return self.email


class ContactPhone(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number (E.164)"), max_length=32)
    original = models.CharField(_("number as entered"), max_length=64, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PhoneKind.choices, default=PhoneKind.MOBILE
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-is_primary", "position", "id"]
        indexes = [models.Index(fields=["number"], name="contacts_phone_number_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(is_primary=True),
                name="contacts_phone_one_primary",
            ),
        ]

    def __str__(self) -> str:
        return self.original or self.number


class CompanyDomain(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["domain"], name="contacts_domain_domain_idx")]
        constraints = [
            models.UniqueConstraint(fields=["company", "domain"], name="contacts_domain_unique"),
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(is_primary=True),
                name="contacts_domain_one_primary",
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class CompanyPhone(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number (E.164)"), max_length=32)
    original = models.CharField(_("number as entered"), max_length=64, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PhoneKind.choices, default=PhoneKind.WORK
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-is_primary", "position", "id"]
        indexes = [models.Index(fields=["number"], name="contacts_cphone_number_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(is_primary=True),
                name="contacts_cphone_one_primary",
            ),
        ]

    def __str__(self) -> str:
        return self.original or self.number


class Address(models.Model):
    """A postal address of a contact or of a company (exactly one of the two)."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="addresses"
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="addresses"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=AddressKind.choices, default=AddressKind.WORK
    )
    street = models.CharField(_("street"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text="ISO 3166-1")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["country", "city"], name="contacts_address_place_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(contact__isnull=False) & Q(company__isnull=True))
                | (Q(contact__isnull=True) & Q(company__isnull=False)),
                name="contacts_address_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.street, self.postal_code, self.city, self.country) if p)


class SocialProfile(models.Model):
    """A profile URL of a contact or of a company (exactly one of the two)."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="social_profiles"
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="social_profiles"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=SocialKind.choices, default=SocialKind.OTHER
    )
    url = models.URLField(_("URL"), max_length=500)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(contact__isnull=False) & Q(company__isnull=True))
                | (Q(contact__isnull=True) & Q(company__isnull=False)),
                name="contacts_social_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class ContactCompanyHistory(models.Model):
    """A company a contact worked for (past or present), with dates when known."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="company_history")
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="past_contacts"
    )
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-ended_on", "-started_on", "-id"]
        verbose_name = _("past company")
        verbose_name_plural = _("past companies")

    def __str__(self) -> str:
        return self.company_name


class LifecycleStageChange(models.Model):
    """When a contact reached a lifecycle stage (one row per change)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=30, blank=True, choices=LifecycleStage.choices)
    stage = models.CharField(max_length=30, choices=LifecycleStage.choices)
    reached_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["reached_at", "id"]
        indexes = [
            models.Index(fields=["contact", "reached_at"], name="contacts_stagechg_contact_idx"),
            models.Index(fields=["stage", "reached_at"], name="contacts_stagechg_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.stage} @ {self.reached_at:%Y-%m-%d}"


class SuppressionEntry(models.Model):
    """A hashed email address or phone number that must not be imported or contacted again
    (written when a contact is erased). Only the SHA-256 of the normalised value is kept."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=30, default="erasure")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suppression entry")
        verbose_name_plural = _("suppression entries")

    def __str__(self) -> str:
        return f"{self.kind}:{self.digest[:12]}"
