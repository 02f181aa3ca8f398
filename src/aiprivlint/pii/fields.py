"""Field-name classifier: does a column, key or attribute name denote personal data?

``classify_field(name)`` splits the name into words (``userEmail``, ``user_email``,
``User-E-Mail`` → ``user email``; accents dropped, ``ß`` → ``ss``), looks for a known phrase as
whole words (so ``email`` and ``user_email`` match, ``emailed_at`` does not), then looks at the
words right before and after it: ``phone_model``, ``email_verified``, ``is_email``,
``hashed_email``, ``server_ip`` describe a device, a flag, a count or a protected form, not the
personal value itself, and are not classified. The result says which phrase matched, so the
finding can explain itself ("the name contains 'email' (contact: e-mail address)").

Phrases that are personal only when they make up the whole name and can mean many other things
(``name``, ``address``) are returned with ``ambiguous=True``: a caller decides from the values
(a column of "Given Family" strings) whether they hold personal data.

The classifier is shared: AIP102 reports on it, AIP101 takes hints from it (a field named
``bsn`` makes a 9-digit number a BSN), and other rules (AIP302) reuse it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# category ids and how they read in a message
CATEGORIES = {
    "identity": "identity",
    "contact": "contact",
    "government-id": "government identifier",
    "financial": "financial",
    "location": "location",
    "online-id": "online identifier",
    "health": "health",
    "ethnicity": "racial or ethnic origin",
    "religion": "religious or philosophical beliefs",
    "political-opinion": "political opinions",
    "sexual-orientation": "sex life or sexual orientation",
    "biometric": "biometric",
    "genetic": "genetic",
    "trade-union": "trade union membership",
}
SPECIAL = frozenset({"health", "ethnicity", "religion", "political-opinion", "sexual-orientation",
                     "biometric", "genetic", "trade-union"})


@dataclass(frozen=True)
class FieldClass:
    """Why a field name denotes personal data."""

    name: str  # the field name as given
    category: str  # a key of CATEGORIES
    label: str  # what the field holds, e.g. "e-mail address"
    phrase: str  # the words that matched, e.g. "email"
    entity: str | None = None  # the value entity it suggests (EMAIL, PHONE, NATIONAL_ID, ...)
    id_type: str | None = None  # for NATIONAL_ID: the identifier the name names, if one
    ambiguous: bool = False  # personal only if the values say so (``name``, ``address``)

    @property
    def special(self) -> bool:
        """A GDPR Art. 9 special category."""
        return self.category in SPECIAL

    @property
    def reason(self) -> str:
        plural = "s" if " " in self.phrase else ""
        head = f"the name contains the word{plural} '{self.phrase}'"
        if self.special:
            return f"{head}: {self.label}, a special category of personal data (GDPR Art. 9)"
        return f"{head}: {self.label} ({CATEGORIES[self.category]} data)"


# (words, category, label, entity, id_type, flags) ; flags: "whole" = only as the entire name,
# "ambiguous" = returned as ambiguous (values decide)
_E = tuple[str, str, str, str | None, str | None, str]


def _v(words: str, category: str, label: str, entity: str | None = None,
       id_type: str | None = None, flags: str = "") -> _E:
    return (words, category, label, entity, id_type, flags)


_NAME = "person's name"
_DOB = "date of birth"
_ADDR = "postal address"
_VOCAB: list[_E] = [
    # identity
    *[_v(w, "identity", _NAME, "PERSON_NAME") for w in (
        "first name", "firstname", "given name", "givenname", "forename", "last name", "lastname",
        "family name", "familyname", "surname", "surnames", "full name", "fullname", "middle name",
        "maiden name", "birth name", "vorname", "nachname", "familienname", "prenom",
        "nom de famille", "apellido", "apellidos", "cognome", "voornaam", "achternaam", "imie",
        "nazwisko", "fornamn", "efternamn", "etunimi", "sukunimi", "fornavn", "efternavn",
        "customer name", "patient name", "person name", "employee name",
        "student name", "member name", "contact name", "holder name", "cardholder name",
        "account holder", "cardholder", "owner name", "applicant name", "passenger name",
        "guest name", "buyer name", "recipient name", "sender name", "driver name",
        "doctor name", "physician name", "parent name", "mother name", "father name",
        "child name", "spouse name", "beneficiary name", "emergency contact", "real name",
        "legal name", "nombre completo", "nome completo",
    )],
    *[_v(w, "identity", _NAME, "PERSON_NAME", flags="whole ambiguous") for w in (
        "name", "names", "nom", "nombre", "nome", "naam", "navn", "namn", "nimi", "person",
    )],
    *[_v(w, "identity", _DOB, "DATE_OF_BIRTH") for w in (
        "date of birth", "dateofbirth", "dob", "birth date", "birthdate", "birthday",
        "birth day", "born on", "geburtsdatum", "geburtstag", "date naissance",
        "date de naissance", "fecha nacimiento", "fecha de nacimiento", "data di nascita",
        "data nascita", "geboortedatum", "data urodzenia", "fodelsedatum", "syntymaaika",
        "fodselsdato", "foedselsdato",
    )],
    *[_v(w, "identity", "year of birth") for w in ("year of birth", "birth year", "birthyear", "yob")],
    # contact
    *[_v(w, "contact", "e-mail address", "EMAIL") for w in (
        "email", "emails", "e mail", "email address", "emailaddress", "mail address",
        "mailaddress", "e mail address", "e mail adresse", "email adresse", "courriel", "correo",
        "correo electronico", "posta elettronica", "epost", "sahkoposti",
    )],
    _v("mail", "contact", "e-mail address", "EMAIL", flags="whole"),
    *[_v(w, "contact", "phone number", "PHONE") for w in (
        "phone", "phones", "telephone", "telephone number", "tel", "phonenumber", "phone number",
        "phone no", "mobile number", "mobile phone", "mobilephone", "mobile no", "mobile nr",
        "cell phone", "cellphone", "cell number", "fax", "fax number", "telefon", "telefonnummer",
        "handynummer", "handy", "telefono", "numero telefono", "numero de telefono", "telefoon",
        "telefoonnummer", "numero telephone", "msisdn", "whatsapp", "gsm", "puhelin",
        "puhelinnumero", "telefonnummer", "cellulare", "movil",
    )],
    _v("mobile", "contact", "phone number", "PHONE", flags="whole"),
    *[_v(w, "contact", _ADDR, "STREET_ADDRESS") for w in (
        "street", "street address", "streetaddress", "street name", "home address",
        "postal address", "mailing address", "billing address", "shipping address",
        "delivery address", "residential address", "residence address", "physical address",
        "address line", "addressline", "house number", "housenumber", "hausnummer", "strasse",
        "anschrift", "wohnadresse", "adresse postale", "indirizzo", "direccion", "domicilio",
        "woonadres", "ulica", "gatuadress", "katuosoite", "customer address", "patient address",
        "user address",
    )],
    # a client is a program as often as a customer (an SDK's, an OAuth application's name)
    _v("client name", "identity", _NAME, "PERSON_NAME", flags="ambiguous"),
    *[_v(w, "contact", _ADDR, "STREET_ADDRESS", flags="whole ambiguous") for w in (
        "address", "addresses", "adresse", "adres", "addr",
    )],
    # location
    *[_v(w, "location", "postal code") for w in (
        "zip", "zipcode", "zip code", "postcode", "post code", "postal code", "postalcode",
        "plz", "postleitzahl", "code postal", "codigo postal", "postcode", "postnummer",
    )],
    *[_v(w, "location", "precise location of a person") for w in (
        "gps", "geolocation", "geo location", "home location", "user location", "home latitude",
        "home longitude", "user latitude", "user longitude", "current location",
        "location history",
    )],
    # government identifiers
    *[_v(w, "government-id", "national identification number", "NATIONAL_ID") for w in (
        "national id", "nationalid", "national identification", "national identity",
        "national number", "personal id", "personal number", "personal code", "id number",
        "identity number", "citizen id", "tax id", "taxid", "tax number", "tax identification",
        "taxpayer id", "tin", "voter id", "id card", "idcard", "identity card",
    )],
    *[_v(w, "government-id", "social security number", "NATIONAL_ID", "us.ssn") for w in (
        "ssn", "social security", "social security number", "socialsecuritynumber", "ssn number",
    )],
    *[_v(w, "government-id", "national insurance number", "NATIONAL_ID", "gb.nino") for w in (
        "national insurance", "national insurance number", "nino", "ni number",
    )],
    *[_v(w, "government-id", "citizen service number (BSN)", "NATIONAL_ID", "nl.bsn") for w in (
        "bsn", "burgerservicenummer", "sofinummer", "sofi nummer",
    )],
    _v("pesel", "government-id", "PESEL number", "NATIONAL_ID", "pl.pesel"),
    *[_v(w, "government-id", "personal identity number", "NATIONAL_ID", "se.personnummer")
      for w in ("personnummer", "personnr")],
    *[_v(w, "government-id", "CPR number", "NATIONAL_ID", "dk.cpr") for w in ("cpr", "cpr nr", "cpr nummer")],
    *[_v(w, "government-id", "personal identity code", "NATIONAL_ID", "fi.hetu") for w in (
        "hetu", "henkilotunnus", "personbeteckning")],
    *[_v(w, "government-id", "tax identification number", "NATIONAL_ID", "de.idnr") for w in (
        "steuer id", "steuerid", "idnr", "steuer identifikationsnummer",
        "steueridentifikationsnummer", "identifikationsnummer")],
    *[_v(w, "government-id", "national register number", "NATIONAL_ID", "be.nn") for w in (
        "rijksregisternummer", "insz", "niss", "numero national", "registre national")],
    _v("cnp", "government-id", "personal numeric code (CNP)", "NATIONAL_ID", "ro.cnp"),
    *[_v(w, "government-id", "social security number (NIR)", "NATIONAL_ID", "fr.nir") for w in (
        "nir", "numero securite sociale", "numero de securite sociale", "securite sociale",
        "num secu", "numero secu")],
    *[_v(w, "government-id", "DNI / NIF number", "NATIONAL_ID", "es.dni") for w in ("dni", "nif")],
    _v("nie", "government-id", "foreigner identity number (NIE)", "NATIONAL_ID", "es.nie"),
    *[_v(w, "government-id", "codice fiscale", "NATIONAL_ID", "it.codicefiscale") for w in (
        "codice fiscale", "codicefiscale")],
    *[_v(w, "government-id", "passport number") for w in (
        "passport", "passport number", "passportnumber", "passport no", "passport nr",
        "reisepass", "passeport", "pasaporte")],
    *[_v(w, "government-id", "driving licence number") for w in (
        "driver license", "drivers license", "driving licence", "driving license",
        "driverslicense", "driver licence", "fuhrerschein", "permis de conduire")],
    *[_v(w, "government-id", "health insurance number") for w in (
        "health insurance number", "insurance number", "medicare number", "medicare",
        "nhs number", "krankenversicherungsnummer", "versichertennummer", "aadhaar")],
    # financial
    *[_v(w, "financial", "bank account number (IBAN)", "IBAN") for w in (
        "iban", "bank account", "bankaccount", "bank account number", "account number",
        "accountnumber", "kontonummer", "rekeningnummer", "numero de compte", "sort code",
        "routing number")],
    *[_v(w, "financial", "payment card number", "CREDIT_CARD") for w in (
        "credit card", "creditcard", "credit card number", "card number", "cardnumber",
        "cc number", "ccnumber", "cc num", "debit card", "payment card", "kreditkarte",
        "kreditkartennummer", "numero de carte")],
    *[_v(w, "financial", "card security code") for w in ("cvv", "cvc", "cvv2", "card cvv", "security code")],
    *[_v(w, "financial", "income or credit information") for w in (
        "salary", "income", "annual income", "credit score", "creditscore", "net worth", "wage",
        "wages", "gehalt", "einkommen", "salaire")],
    # online identifiers
    *[_v(w, "online-id", "IP address", "IP_ADDRESS") for w in (
        "ip", "ip address", "ipaddress", "ip addr", "ipv4", "ipv6", "client ip", "remote addr",
        "remote ip", "user ip", "source ip", "src ip", "visitor ip", "customer ip", "x forwarded for")],
    *[_v(w, "online-id", "device or advertising identifier") for w in (
        "mac address", "macaddress", "imei", "imsi", "advertising id", "idfa", "gaid", "aaid",
        "android id", "cookie id", "visitor id")],
    *[_v(w, "online-id", "account name") for w in (
        "username", "user name", "screen name", "screenname", "login name", "user handle",
        "twitter handle", "instagram handle", "social handle", "nickname", "gamertag")],
    # special categories (GDPR Art. 9)
    *[_v(w, "health", "health data") for w in (
        "diagnosis", "diagnoses", "diagnosis code", "diagnosis codes", "icd", "icd10", "icd9",
        "icd code", "disease", "diseases", "illness", "illnesses", "medical condition",
        "medical conditions", "medical history", "medical record", "medical records",
        "medication", "medications", "prescription", "prescriptions", "symptom", "symptoms",
        "disability", "disabilities", "blood type", "bloodtype", "blood group", "hiv",
        "hiv status", "health status", "health condition", "health conditions",
        "health record", "health records", "mental health", "pregnant", "pregnancy", "allergy",
        "allergies", "comorbidity", "comorbidities", "vaccination status", "covid status",
        "diagnose", "krankheit", "diagnostico", "maladie", "lab result", "lab results",
        "patient diagnosis", "clinical notes", "treatment history", "psychiatric history")],
    *[_v(w, "ethnicity", "racial or ethnic origin") for w in (
        "ethnicity", "ethnicities", "ethnic", "ethnic origin", "ethnic group", "ethnic background",
        "race", "racial", "racial origin", "race ethnicity", "herkunft", "ethnie")],
    *[_v(w, "religion", "religion or belief") for w in (
        "religion", "religions", "religious", "religious belief", "religious beliefs", "faith",
        "konfession", "religionszugehorigkeit", "confession", "denomination")],
    *[_v(w, "political-opinion", "political opinion") for w in (
        "political party", "political opinion", "political opinions", "political affiliation",
        "political views", "political view", "party affiliation", "political orientation",
        "politics", "voting intention", "vote intention", "party preference")],
    *[_v(w, "sexual-orientation", "sexual orientation") for w in (
        "sexual orientation", "sexuality", "sex life", "sexual preference", "sexual identity")],
    *[_v(w, "biometric", "biometric data") for w in (
        "biometric", "biometrics", "biometric data", "biometric template", "fingerprint image",
        "fingerprint template", "fingerprints", "face embedding", "face embeddings",
        "face encoding", "face encodings", "faceprint", "face template", "face id",
        "voiceprint", "voice print", "voice embedding", "speaker embedding", "iris scan",
        "iris code", "retina scan", "palm print", "palmprint", "gait signature")],
    *[_v(w, "genetic", "genetic data") for w in (
        "genetic", "genetic data", "genetic test", "genome", "genomes", "genotype", "genotypes",
        "dna", "dna sequence", "dna profile", "genetic marker", "genetic markers")],
    *[_v(w, "trade-union", "trade union membership") for w in (
        "trade union", "union membership", "union member", "trade union membership",
        "gewerkschaft")],
]

# a word right after the phrase that makes it describe something else
NEG_AFTER = frozenset("""
model models type types brand make maker os version versions count counts cnt total verified
verification confirmed confirm enabled disabled opt optin template templates format formats
regex pattern patterns validator validation valid validated field fields column columns col
cols length len size domain domains provider providers service server servers host hosts
sent send sending received subject subjects body content thread threads message messages msg
campaign
campaigns status flag flags mask masked hash hashed hmac encrypted encryption token tokens
key keys code codes prefix prefixes country countries range ranges space spaces family pool pools bits offset
port ports mode modes header headers label labels dim idx index
notification notifications settings setting preference preferences frequency open opened
click clicked bounce bounced sha md5 policy policies condition conditions checker
check checks network networks allocation allocator table tables map mapping
lookup detector detection detected recognizer anonymizer parser parsing regexp rule rules
extractor extraction filter filters generator generation fake faker dummy placeholder
example examples sample samples schema scheme class classes rate ratio share adapter adapters
proj projection layer layers scale scales embeds weights weight
bytes file files archive archives path paths buffer blob stream dir folder
""".split())
# a word right before the phrase that makes it describe something else
NEG_BEFORE = frozenset("""
is has have num n no count total max min avg mean median average sum std stddev percentile
quantile agg aggregate draft drafted reply composed generated send welcome valid invalid
validate validated
validator format formatted normalize normalized hashed hash masked mask anonymized
anonymised anonymize pseudonymized pseudonymised pseudonym encrypted encrypt redacted redact
fake dummy sample example test demo mock synthetic default server host hostname local bind listen proxy
gateway dns router node master worker service api base broker redis db database docker vm
cluster head tracking tracker smtp imap pop3 memory mem wallet contract return
peer seed bootstrap dest destination target endpoint mqtt kafka rpc grpc http https web
website site url uri mail_server ray dist distributed coordinator nameserver public private
static virtual subnet vpn ssh ftp email_domain device_type blocked whitelist allowlist
blocklist blacklist unique without missing drop
""".split())

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_SPLIT = re.compile(r"[^0-9a-z]+")


def words(name: str) -> tuple[str, ...]:
    """``userEmailAddress`` / ``user_email-address`` / ``Date of Birth`` → words, lower-case,
    accents dropped."""
    name = name.replace("ß", "ss").replace("ẞ", "SS")
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    name = _CAMEL.sub(" ", name).lower()
    return tuple(w for w in _SPLIT.split(name) if w)


def _build() -> dict[tuple[str, ...], list[_E]]:
    index: dict[tuple[str, ...], list[_E]] = {}
    for entry in _VOCAB:
        key = tuple(entry[0].split())
        index.setdefault(key, []).append(entry)
    return index


_INDEX = _build()
_MAX_WORDS = max(len(k) for k in _INDEX)
# words that introduce a "_of" chain: number_of_emails, count_of_phones
_COUNTING = frozenset({"number", "num", "count", "total", "n", "no"})


@lru_cache(maxsize=8192)
def classify_field(name: str) -> FieldClass | None:
    """The personal-data class of a field name, or None.

    >>> classify_field("user_email").category
    'contact'
    >>> classify_field("emailed_at") is None and classify_field("phone_model") is None
    True
    """
    if not name or len(name) > 120:
        return None
    ws = words(name)
    if not ws or len(ws) > 12:
        return None
    best: tuple[int, int, _E] | None = None  # (length, -position, entry)
    for i in range(len(ws)):
        for n in range(min(_MAX_WORDS, len(ws) - i), 0, -1):
            key = ws[i:i + n]
            entries = _INDEX.get(key)
            if not entries:
                continue
            for e in entries:
                if "whole" in e[5] and key != ws:
                    continue
                before = ws[i - 1] if i > 0 else ""
                after = ws[i + n] if i + n < len(ws) else ""
                if after in NEG_AFTER or before in NEG_BEFORE:
                    continue
                if before.isdigit():
                    # a number before it makes the phrase part of a measure's name, not the
                    # identifier: 3SsnPorch is a three-season porch's area (Ames housing)
                    continue
                if before == "of" and i >= 2 and ws[i - 2] in _COUNTING:
                    continue
                # "_id"/"_ids" after a name phrase: a key to another table, not the name itself
                if after in ("id", "ids", "key", "uuid") and e[3] in ("PERSON_NAME", "STREET_ADDRESS"):
                    continue
                cand = (n, -i, e)
                if best is None or cand[:2] > best[:2]:
                    best = cand
            break  # longest phrase at this position only
    if best is None:
        return None
    e = best[2]
    return FieldClass(name=name, category=e[1], label=e[2], phrase=e[0], entity=e[3],
                      id_type=e[4], ambiguous="ambiguous" in e[5])


_COUNTRY_WORDS = frozenset({"country", "country code", "countrycode", "nationality", "land",
                            "pays", "paese", "pais", "region", "locale", "country iso"})


def is_country_field(name: str) -> bool:
    """A field that holds a country (its value is a region hint for national phone numbers)."""
    return " ".join(words(name)) in _COUNTRY_WORDS
