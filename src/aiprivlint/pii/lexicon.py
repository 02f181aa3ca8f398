"""Word lists the detectors need: top-level domains, placeholder addresses, well-known fake values,
and the words that, written next to a bare number, say what the number is.

Everything here is data, kept in one place so a reviewer can read what the detectors consider
"not personal data" without reading the detectors.
"""

from __future__ import annotations

# ISO 3166-1 country-code TLDs (plus uk, eu, su, ac) and the generic TLDs seen in real addresses.
# An "e-mail" whose last label is not a TLD (x@self.weight, icon@2x.png) is not an address.
_CC = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq "
    "br bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz "
    "ec ee eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu "
    "gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw "
    "ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu "
    "mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw "
    "py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td "
    "tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt "
    "za zm zw"
)
_GENERIC = (
    "com net org edu gov mil int info biz name pro mobi asia tel travel museum coop aero jobs cat "
    "post xxx app dev page online site website web xyz store shop cloud blog email live tech "
    "academy agency art bank bio business cafe capital center chat city club codes company "
    "consulting credit design digital directory education energy engineering expert family "
    "finance fitness foundation fun games global gmbh green group guru health host house icu inc "
    "institute insure international ink lab land law legal life link llc love ltd market "
    "marketing media money network news ngo one ong partners photo photography plus press "
    "properties pub rocks run school science services social software solutions space studio "
    "support systems team technology today tools top training university video vip wiki work "
    "works world zone berlin hamburg koeln cologne bayern nrw ruhr wien tirol paris bzh corsica "
    "alsace london scot wales cymru eus gal barcelona madrid cat amsterdam brussels vlaanderen "
    "gent swiss zuerich stockholm helsinki quebec nyc miami boston istanbul moscow tokyo "
    "ovh google gmail apple microsoft amazon youtube"
)
TLDS: frozenset[str] = frozenset((_CC + " " + _GENERIC).split())

# RFC 2606 / RFC 6761 reserved names, and the placeholders everybody types in examples.
RESERVED_DOMAIN_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local", ".internal",
                            ".lan", ".home.arpa", ".localdomain")
# "example" in the languages a localised form or document is written in: a domain of that name,
# at any TLD (ejemplo.com, beispiel.de, exemple.fr), is the placeholder of a translated example.com
EXAMPLE_DOMAIN_NAMES = frozenset({
    "example", "ejemplo", "exemplo", "exemple", "esempio", "beispiel", "voorbeeld", "przyklad",
    "exempel", "eksempel", "esimerkki", "pelda", "priklad", "primer", "ornek", "exemplu",
    "paradeigma", "contoh", "vidu", "halimbawa", "mfano"})
PLACEHOLDER_DOMAINS = frozenset({
    "example.com", "example.net", "example.org", "example.edu", "example.co.uk", "example.de",
    "example.fr", "example.io", "domain.com", "domain.tld", "yourdomain.com", "your-domain.com",
    "mydomain.com", "my-domain.com", "yourcompany.com", "company.com", "mycompany.com",
    "acme.com", "acme.org", "acme.corp", "email.tld", "host.com", "server.com", "website.com",
    "yoursite.com", "mysite.com", "sample.com", "test.com", "testing.com", "foo.com", "bar.com",
    "foobar.com", "email.example", "somewhere.com", "nowhere.com", "xyz.com", "abc.com",
    "users.noreply.github.com", "noreply.github.com", "localhost", "email.com", "mail.com",
    "emailprovider.com", "provider.com", "somedomain.com", "anydomain.com", "company.org",
    # Microsoft's fictitious companies, cleared by its legal department for samples and docs
    "contoso.com", "contoso.net", "contoso.onmicrosoft.com", "fabrikam.com", "northwindtraders.com",
    "adventure-works.com", "wingtiptoys.com", "woodgrovebank.com", "litwareinc.com",
    "tailspintoys.com", "treyresearch.net", "adatum.com", "fourthcoffee.com",
    # the tenant of Azure's documentation ("user@tenant.onmicrosoft.com"), Acme's other domains
    "tenant.onmicrosoft.com", "yourtenant.onmicrosoft.com", "acme.co", "acme.io", "acme.ai",
})
# Words that make a local part a slot for an address rather than one ("Example1@gmail.com",
# "github-username@github.com", "your.email@company.org"); compared as whole parts of the
# local part split at non-letters.
PLACEHOLDER_LOCAL_WORDS = frozenset({
    "example", "examples", "sample", "username", "yourname", "your", "youremail", "placeholder",
    "dummy", "fake", "changeme", "redacted", "anonymous", "anon",
})
# Domains of machine identities: cloud service accounts and robot accounts.
MACHINE_DOMAIN_SUFFIXES = ("gserviceaccount.com", "iam.gserviceaccount.com",
                           "developer.gserviceaccount.com", "serviceaccount.com")
# Hugging Face datasets of synthetic personal data (PII-masking benchmarks): what a notebook
# shows from them was made up by a generator. Prefixes of dataset ids.
SYNTHETIC_PII_DATASETS = ("ai4privacy/", "gretelai/synthetic_pii", "gretelai/gretel-pii",
                          "nvidia/Nemotron-PII", "beki/privy", "Isotonic/pii-masking")
# Free mail providers: "john@gmail.com" (a bare common first name) is an example, not a person.
BIG_FREE_PROVIDERS = frozenset({"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com",
                                "outlook.com", "live.com", "aol.com", "icloud.com", "gmx.de",
                                "web.de", "mail.ru", "proton.me", "protonmail.com"})
# Public-sector domains: addresses there are published contact points of institutions.
INSTITUTIONAL_SUFFIXES = (".gov", ".mil", ".europa.eu", ".gouv.fr", ".bund.de", ".gov.uk",
                          ".gob.es", ".gov.it", ".overheid.nl", ".gov.pl")
# Local parts of role and system mailboxes: they name a function, not a person.
ROLE_LOCAL_PARTS = frozenset({
    "git", "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
    "mailer-daemon", "postmaster", "hostmaster", "webmaster", "abuse", "root", "admin",
    "administrator", "info", "support", "help", "helpdesk", "contact", "hello", "hi", "team",
    "security", "privacy", "dpo", "gdpr", "legal", "sales", "marketing", "press", "media", "office",
    "billing", "accounts", "jobs", "careers", "hr", "feedback", "service", "notifications",
    "notification", "alerts", "bounce", "bounces", "news", "newsletter", "list", "lists", "bugs",
    "opensource", "open-source", "oss", "community", "devnull", "nobody", "user", "username",
    "name", "email", "mail", "someone", "somebody", "anyone", "me", "you", "test", "tester",
    "example", "sample", "demo", "foo", "bar", "foobar", "john.doe", "jane.doe", "johndoe",
    "janedoe", "john_doe", "jane_doe", "firstname.lastname", "first.last", "firstname",
    "your.name", "yourname", "your_email", "youremail", "your-email", "my.name", "myname",
    "xxx", "xyz", "abc", "a", "x", "ci", "bot", "github-actions", "dependabot", "bulk", "orders",
    "order", "shop", "store", "customerservice", "customer.service", "customer-service",
    "customercare", "care", "enquiries", "inquiries", "enquiry", "inquiry", "reservations",
    "booking", "bookings", "events", "partners", "partnerships", "investors", "investor",
    "ir", "pr", "studio", "editor", "editors", "redaktion", "kontakt", "contacto", "contatti",
    "accounting", "finance", "invoices", "invoice", "payments", "payroll", "returns",
    "shipping", "webmaster", "wholesale", "licensing", "legal-notices", "compliance",
    "report", "reports", "abuse-reports", "maintainers", "developers", "dev", "devs",
    "engineering", "research", "admissions", "library", "reception", "frontdesk", "membership",
    "telemetry", "analytics", "data", "datasets", "dataset", "ml", "ai", "docs", "documentation",
    "conduct", "coc", "codeofconduct", "foundation", "board", "steering", "community-team",
    "opensource-conduct", "sponsors", "sponsorship", "grants", "feedback-ml", "hiring",
})

# Test card numbers published by payment providers: valid Luhn, never a customer's card.
FAKE_CARDS = frozenset({
    "4111111111111111", "4012888888881881", "4222222222222", "4242424242424242",
    "4000056655665556", "4000000000000002", "4000000000000077", "4000000000009995",
    "4000000000000341", "4000002500003155", "4000000000003220", "4917610000000000",
    "5555555555554444", "5105105105105100", "5200828282828210", "2223003122003222",
    "5200000000000007", "5454545454545454", "378282246310005", "371449635398431",
    "378734493671000", "6011111111111117", "6011000990139424", "6011000000000004",
    "3056930009020004", "36227206271667", "30569309025904", "38520000023237",
    "3566002020360505", "3530111333300000", "6200000000000005", "6759649826438453",
    "6304000000000000", "4444333322221111", "4005519200000004", "4009348888881881",
    "4012000033330026", "4012000077777777", "4217651111111119", "4500600000000061",
    "5431111111111111", "5424000000000015", "4007000000027", "4012888818888",
    "4095260993934932",
})
# Example IBANs printed in standards, bank documentation and every IBAN tutorial.
# packages that generate synthetic records: a file that imports one makes its data up
FAKE_DATA_PACKAGES = ("faker", "mimesis", "factory", "hypothesis")
FAKE_IBANS = frozenset({
    "DE89370400440532013000", "DE75512108001245126199", "DE02120300000000202051",
    "DE12500105170648489890", "GB82WEST12345698765432", "GB29NWBK60161331926819",
    "GB33BUKB20201555555555", "GB94BARC10201530093459", "FR1420041010050500013M02606",
    "FR7630006000011234567890189", "NL91ABNA0417164300", "NL02ABNA0123456789",
    "ES9121000418450200051332", "IT60X0542811101000000123456", "BE68539007547034",
    "BE71096123456769", "CH9300762011623852957", "AT611904300234573201",
    "PL61109010140000071219812874", "SE4550000000058398257466", "DK5000400440116243",
    "FI2112345600000785", "IE29AIBK93115212345678", "LU280019400644750000",
    "PT50000201231234567890154", "NO9386011117947", "RO49AAAA1B31007593840000",
    "CZ6508000000192000145399", "GR1601101250000000012300695", "HU42117730161111101800000000",
    "MT84MALT011000012345MTLCAST001S", "SA0380000000608010167519", "IL150120690000003111111",
})
# Specimen national identifiers printed on sample cards and in government documentation.
FAKE_IDS = frozenset({
    "123456789", "111222333", "123456782", "078051120", "219099999", "123456789A",
    "12345678Z", "X1234567L", "AB123456C", "QQ123456C", "QQ123456A",
    "RSSMRA85T10A562S", "MRARSS80A01H501T", "RSSMRA80A01H501U",
    "811228-9874", "8112289874", "198112289874", "010101-123N", "131052-308T",
    "44051401458", "02070803628", "1800101221144", "1234567890123",
    "85073003328", "12345678901", "100101-1000", "078051126",
})

# Words that say what a bare number next to them is (searched, lower-cased, just before it).
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "PHONE": ("phone", "tel", "tél", "mobile", "mobil", "cell", "call", "fax", "telefon",
              "téléphone", "telefono", "teléfono", "telefoon", "gsm", "handy", "whatsapp", "sms",
              "portable", "cellulare", "móvil", "komórka", "puhelin", "ring", "rufnummer"),
    "CREDIT_CARD": ("card", "credit", "visa", "mastercard", "amex", "maestro", "kreditkarte",
                    "carte", "tarjeta", "carta", "karta", "kort", "pan "),
    "nl.bsn": ("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer", "sofi nummer"),
    "us.ssn": ("ssn", "social security", "soc. sec", "soc sec"),
    "pl.pesel": ("pesel",),
    "se.personnummer": ("personnummer", "personnr", "person nr", "pers.nr"),
    "de.idnr": ("steuer-id", "steuerid", "steuer id", "identifikationsnummer", "idnr", "id-nr",
                "steuer-identifikationsnummer", "steueridentifikationsnummer", "tax id"),
    "dk.cpr": ("cpr", "personnummer", "cpr-nr", "cpr nr"),
    "fi.hetu": ("hetu", "henkilötunnus", "henkilotunnus", "personbeteckning"),
    "be.nn": ("rijksregisternummer", "rijksregister", "numéro national", "numero national",
              "national number", "insz", "niss", "rrn", "registre national"),
    "ro.cnp": ("cnp", "cod numeric personal", "codul numeric personal"),
    "fr.nir": ("nir", "sécurité sociale", "securite sociale", "sécu", "secu", "insee",
               "numéro de sécurité", "carte vitale"),
    "es.dni": ("dni", "nif", "documento nacional"),
    "es.nie": ("nie", "nif", "extranjero"),
    "it.codicefiscale": ("codice fiscale", "cod. fisc", "c.f."),
    "gb.nino": ("nino", "national insurance", "ni number", "ni no"),
}
# Generic words for "a national identifier" (they support any id type that validates).
GENERIC_ID_WORDS = ("national id", "national identification", "personal id", "personal number",
                    "id number", "identity number", "tax id", "taxpayer", "citizen id")

# Common given names across the EU, the UK and the US (lower-case, accents dropped). A field
# named only ``name`` holds people's names when many of its values start with one of these;
# product, model and place names do not.
GIVEN_NAMES: frozenset[str] = frozenset("""
james john robert michael william david richard joseph thomas charles christopher daniel matthew
anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward
jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin
samuel gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose adam nathan
henry douglas zachary peter kyle noah ethan jeremy walter christian keith roger terry austin
sean gerald carl harold dylan arthur lawrence jordan jesse bryan billy bruce gabriel joe logan
albert willie alan eugene russell vincent philip bobby johnny bradley roy ralph louis liam oliver
harry oscar leo archie charlie freddie alfie theo mary patricia jennifer linda elizabeth barbara
susan jessica sarah karen lisa nancy betty margaret sandra ashley kimberly emily donna michelle
carol amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen amy angela
shirley anna brenda pamela emma nicole helen samantha katherine christine debra rachel carolyn
janet catherine maria heather diane ruth julie olivia joyce virginia victoria kelly lauren
christina joan evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa ann sara
madison frances kathryn janice jean abigail alice judy sophia grace denise amber doris marilyn
danielle beverly isabella theresa diana natalie brittany charlotte marie kayla alexis lori
amelia isla ava mia ella lily sophie poppy freya chloe jessica lucy
hans peter klaus jurgen wolfgang michael thomas andreas stefan frank uwe bernd dieter horst
gunter karl heinz werner manfred gerhard helmut rolf ralf jens jan lukas leon finn felix jonas
paul max elias luca ben niklas tim tobias sebastian florian philipp moritz julian fabian simon
matthias markus christian martin daniel alexander dominik marcel kevin dennis sven torsten dirk
ursula monika petra sabine renate karin brigitte ingrid helga gisela andrea susanne birgit claudia
stefanie nicole katrin julia lena lea hannah laura sarah lisa anna marie sophie johanna leonie
emilia mila klara clara greta ida frieda heike silke anke tanja sandra jana nadine melanie
jean pierre michel philippe alain nicolas christophe patrick daniel bernard eric laurent frederic
stephane olivier thierry pascal francois julien sebastien david vincent jerome guillaume antoine
mathieu maxime romain thomas hugo lucas louis gabriel arthur raphael jules adam nathan theo
marie nathalie isabelle sylvie catherine francoise christine monique valerie sandrine sophie
veronique stephanie celine julie aurelie camille manon chloe emma louise alice lea ines jade lina
giuseppe giovanni antonio mario luigi francesco angelo vincenzo pietro salvatore carlo franco
domenico bruno paolo michele giorgio aldo sergio luciano marco andrea alessandro matteo lorenzo
leonardo riccardo davide simone federico stefano luca roberto fabio massimo gianluca emanuele
giulia francesca chiara sara martina valentina alessia elisa federica silvia paola anna rosa
giovanna lucia elena laura alessandra roberta daniela sofia aurora ginevra beatrice
jose antonio manuel francisco juan javier carlos jesus alejandro miguel rafael pedro angel pablo
sergio fernando jorge luis alberto alvaro diego adrian raul enrique ramon vicente joaquin
maria carmen josefa isabel dolores pilar teresa ana cristina marta lucia paula elena raquel
sara rosa manuela mercedes rocio beatriz silvia nuria irene patricia alba andrea noelia
jan johannes cornelis hendrik willem pieter gerrit jacobus jacob dirk klaas bas ruud sander
thijs daan sem lars luuk milan jesse stijn bram niels wouter joost koen maarten martijn jeroen
sanne anouk lotte fleur eva sophie lieke femke iris maaike ingrid annemarie johanna wilhelmina
cornelia geertje
piotr krzysztof andrzej tomasz pawel jan michal marcin grzegorz jozef marek adam lukasz zbigniew
jerzy tadeusz mateusz dariusz mariusz wojciech ryszard kazimierz jakub henryk robert kamil szymon
anna maria katarzyna malgorzata agnieszka barbara ewa krystyna elzbieta zofia janina teresa
joanna magdalena monika danuta jadwiga aleksandra natalia zuzanna julia maja oliwia wiktoria
lars anders johan karl erik per nils lennart jan hans olof gustav sven bengt oskar axel william
elias hugo lucas liam alexander viktor emil isak filip anton magnus mikael fredrik henrik
kristina margareta elisabeth eva birgitta karin marie ingrid christina linnea sara kerstin emma
lena maja elsa astrid alva wilma ebba saga agnes ella freja
soren niels jens poul henrik morten rasmus mads kasper frederik mikkel christian jorgen ole
kirsten hanne mette susanne lene inge karen marianne camilla line trine louise ida sofie
juha timo matti kari mikko jari antti jukka markku pekka mika hannu heikki ville janne juho
tuula ritva anne paivi leena pirjo sari eija marja liisa aino helmi aada eevi sanna minna johanna
ion gheorghe vasile constantin nicolae mihai stefan alexandru andrei florin adrian dan marian
cristian ionut bogdan gabriel razvan catalin
elena ioana mihaela andreea cristina gabriela alexandra daniela ana mariana nicoleta florentina
ahmed mohamed mohammed ali mustafa fatima aisha omar yusuf ibrahim hassan mehmet emre ayse
wei jing li ming hui yan raj priya amit rahul anil sunil
""".split())

# IBAN structure per country (SWIFT IBAN registry, as python-stdnum ships it): the BBAN as runs
# of n (digits), a (upper-case letters), c (letters or digits).
IBAN_BBAN: dict[str, str] = dict(x.split(":") for x in (
    "AD:4n4n12c AE:3n16n AL:8n16c AT:5n11n AZ:4a20c BA:3n3n8n2n BE:3n7n2n BG:4a4n2n8c BH:4a14c "
    "BI:5n5n11n2n BR:8n5n10n1a1c BY:4c4n16c CH:5n12c CR:4n14n CY:3n5n16c CZ:4n16n DE:8n10n "
    "DJ:5n5n11n2n DK:4n9n1n DO:4c20n EE:2n14n EG:4n4n17n ES:4n4n1n1n10n FI:3n11n FK:2a12n "
    "FO:4n9n1n FR:5n5n11c2n GB:4a6n8n GE:2a16n GI:4a15c GL:4n9n1n GR:3n4n16c GT:4c20c HN:4a20n "
    "HR:7n10n HU:3n4n1n15n1n IE:4a6n8n IL:3n3n13n IQ:4a3n12n IS:4n2n6n10n IT:1a5n5n12c JO:4a4n18c "
    "KW:4a22c KZ:3n13c LB:4n20c LC:4a24c LI:5n12c LT:5n11n LU:3n13c LV:4a13c LY:3n3n15n "
    "MC:5n5n11c2n MD:2c18c ME:3n13n2n MK:3n10c2n MN:4n12n MR:5n5n11n2n MT:4a5n18c "
    "MU:4a2n2n12n3n3a NI:4a20n NL:4a10n NO:4n6n1n OM:3n16c PK:4a16c PL:8n16n PS:4a21c "
    "PT:4n4n11n2n QA:4a21c RO:4a16c RS:3n13n2n RU:9n5n15c SA:2n18c SC:4a2n2n16n3a SD:2n12n "
    "SE:3n16n1n SI:5n8n2n SK:4n6n10n SM:1a5n5n12c SO:4n3n12n ST:4n4n11n2n SV:4a20n TL:3n14n2n "
    "TN:2n3n13n2n TR:5n1n16c UA:6n19c VA:3n15n VG:4a16n XK:4n10n2n YE:4a4n18c "
).split())
