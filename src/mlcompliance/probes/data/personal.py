"""Columns that look personal, by their name and by their content; never a value in the facts.

``by_name(column)`` matches the column name's words against name patterns (e-mail, phone,
IBAN, card, national ids, date of birth, person name, IP address, postcode, address, and the
quasi-identifiers sex/gender and age). ``by_content(values)`` tests each value against
validators: e-mail; international phone numbers; IBAN (ISO 13616 mod-97); payment card (13-19
digits, issuer prefix, Luhn); national ids with their check digits: DE Steuer-IdNr (ISO 7064
mod 11,10), FR NIR (97 - n mod 97), IT codice fiscale (check letter), ES DNI/NIE (mod 23
letter), NL BSN (11-proof), PL PESEL (weights 1-3-7-9), SE personnummer (Luhn), UK NINO
(HMRC prefix rules); IPv4/IPv6 addresses (``ipaddress``); person names written "Given Family"
or "Family, Title. Given"; UK and NL postcodes (their formats are distinctive; other
countries' postcodes are plain numbers, found by name only). A date of birth is a date column
whose name says birth. ``special_by_name`` maps column names to GDPR Art. 9(1)/10 categories.

The result per column is a list of ``{kind, tested, matched, share}`` and a description made
from the column name, the kinds and the counts only: no value is ever copied.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any

CONTENT_SHARE = 0.5     # a column "looks personal" by content when at least this share of tested values match
MAX_TESTED = 2_000      # values tested per column (from the profile's sample)

_WORD = re.compile(r"[a-z0-9]+")
# kind: set of words (a column name's words, split at non-alphanumerics and camelCase) or joined names
_NAME_WORDS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e_mail", "mail", "emailaddress", "mailaddress"),
    "phone": ("phone", "telephone", "tel", "mobile", "cell", "msisdn", "phonenumber", "telefon", "handy"),
    "iban": ("iban",),
    "payment_card": ("pan", "creditcard", "credit_card", "card_number", "cardnumber", "cc_number", "ccnum"),
    "national_id": ("ssn", "nino", "ni_number", "national_id", "nationalid", "national_insurance", "bsn", "pesel",
                    "nif", "nie", "dni", "nir", "insee", "codice_fiscale", "codicefiscale", "steuer_id",
                    "steuerid", "idnr", "personnummer", "passport", "passport_number", "tax_id", "taxid"),
    "date_of_birth": ("dob", "birth", "birthdate", "birthday", "date_of_birth", "dateofbirth", "geburtsdatum",
                      "naissance", "nascita", "nacimiento", "born"),
    "person_name": ("name", "first_name", "firstname", "last_name", "lastname", "surname", "full_name", "fullname",
                    "given_name", "givenname", "family_name", "familyname", "forename", "middle_name",
                    "customer_name", "person_name", "patient_name", "employee_name", "maiden_name", "vorname",
                    "nachname", "nom", "prenom", "nome", "cognome", "nombre", "apellido"),
    "ip_address": ("ip", "ip_address", "ipaddress", "ipv4", "ipv6", "client_ip", "remote_addr"),
    "postcode": ("postcode", "post_code", "zip", "zipcode", "zip_code", "postal_code", "postalcode", "plz"),
    "address": ("address", "street", "street_address", "home_address", "adresse", "indirizzo", "direccion"),
    "sex_gender": ("sex", "gender", "geschlecht", "sexe", "sesso", "sexo"),
    "age": ("age", "age_years", "alter"),
}
_NOT_PERSON = re.compile(r"(?:file|model|product|company|feature|column|dataset|host|server|domain|project|"
                         r"brand|city|country|street|team|item|field|event|app|user_?agent|package|class|"
                         r"table|bank|store|job|device|stage|metric|tag|page|site|test)_?name")
_SPECIAL: dict[str, tuple[str, ...]] = {
    "health": ("health", "diagnosis", "diagnoses", "disease", "icd10", "icd", "medical", "medication",
               "disability", "pregnant", "pregnancy", "hiv", "illness", "symptom", "symptoms", "condition_code"),
    "genetic": ("genetic", "genome", "genotype", "dna", "snp"),
    "biometric": ("biometric", "fingerprint", "face_embedding", "faceprint", "iris_scan", "voiceprint"),
    "racial_ethnic": ("race", "ethnicity", "ethnic", "ethnic_origin", "racial"),
    "political": ("political", "politics", "party_affiliation", "political_party", "vote_intention"),
    "religious": ("religion", "religious", "faith", "belief", "confession", "denomination"),
    "trade_union": ("trade_union", "union_member", "union_membership"),
    "sex_life": ("sex_life", "sexual_activity"),
    "sexual_orientation": ("sexual_orientation", "orientation_sexual", "lgbt"),
    "criminal": ("criminal", "criminal_record", "conviction", "convictions", "offence", "offense", "arrest"),
}
DESCRIPTIONS = {
    "email": "e-mail addresses", "phone": "phone numbers", "iban": "IBANs (mod-97 valid)",
    "payment_card": "payment card numbers (Luhn valid)", "national_id": "national identification numbers",
    "date_of_birth": "dates of birth", "person_name": "person names", "ip_address": "IP addresses",
    "postcode": "postcodes", "address": "postal addresses", "sex_gender": "sex or gender", "age": "ages",
    "id_de_steuer": "German tax ids (Steuer-IdNr, check digit valid)",
    "id_fr_nir": "French social security numbers (NIR, key valid)",
    "id_it_cf": "Italian fiscal codes (codice fiscale, check letter valid)",
    "id_es_dni": "Spanish DNI/NIE numbers (check letter valid)", "id_nl_bsn": "Dutch BSNs (11-proof valid)",
    "id_pl_pesel": "Polish PESEL numbers (check digit valid)",
    "id_se_pnr": "Swedish personal identity numbers (Luhn valid)", "id_uk_nino": "UK National Insurance numbers",
}


def _words(column: str) -> tuple[list[str], str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1_\2", column).lower()
    words = _WORD.findall(spaced)
    return words, "_".join(words)


def by_name(column: str) -> str | None:
    """The personal-data kind a column's name suggests, or None."""
    words, joined = _words(column)
    if _NOT_PERSON.search(joined):
        return None
    for kind, names in _NAME_WORDS.items():
        if joined in names or any(w in names for w in words if len(w) > 2 or kind in ("ip_address",)) \
                or any(len(n) > 4 and "_" in n and n in joined for n in names):
            if kind == "age" and joined not in names and words[-1] != "age" and words[0] != "age":
                continue
            return kind
    return None


def special_by_name(column: str) -> str | None:
    """The GDPR Art. 9(1) special category (or Art. 10 criminal data) a column's name suggests."""
    words, joined = _words(column)
    for category, names in _SPECIAL.items():
        if joined in names or any(w in names for w in words if len(w) > 2) or \
                any("_" in n and n in joined for n in names):
            return category
    return None


# --- validators ----------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^(?:\+|00)[1-9][0-9 ().-]{6,20}$|^0[0-9]{1,4}[ ./-][0-9 ./-]{5,14}$|^\(0?[0-9]{2,4}\) ?[0-9 .-]{5,12}$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_CARD = re.compile(r"^[0-9][0-9 -]{11,22}[0-9]$")
_NINO = re.compile(r"^(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")
_CF = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")
_NAME = re.compile(r"^[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){1,3}$"
                   r"|^[A-Z][A-Za-z'’ -]+, (?:Mr|Mrs|Ms|Miss|Mme|Mlle|Master|Dr|Rev|Prof|Sir|Lady|Don|Dona|Col|Major|"
                   r"Capt|Countess|Jonkheer)\.? .+$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$|^[1-9][0-9]{3} ?[A-Z]{2}$")
_DATE = re.compile(r"^(?:(?:19|20)[0-9]{2}-[01][0-9]-[0-3][0-9](?:[T ].*)?|[0-3]?[0-9][./][01]?[0-9][./](?:19|20)[0-9]{2})$")
_CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8,
                    12, 14, 16, 10, 22, 25, 24, 23]))
_CF_DIGIT_SWAP = dict(zip("LMNPQRSTUV", "0123456789"))


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    s = text.replace(" ", "").upper()
    if not _IBAN.match(s):
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def card_valid(text: str) -> bool:
    if not _CARD.match(text):
        return False
    digits = re.sub(r"[ -]", "", text)
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn(digits)


def de_steuer_id(d: str) -> bool:
    if len(d) != 11 or not d.isdigit() or d[0] == "0":
        return False
    product = 10
    for ch in d[:10]:
        total = (int(ch) + product) % 10 or 10
        product = (total * 2) % 11
    return (11 - product) % 10 == int(d[10])


def fr_nir(text: str) -> bool:
    s = text.replace(" ", "").upper()
    if len(s) != 15 or s[0] not in "12" or not s[13:].isdigit():
        return False
    body = s[:13].replace("2A", "19").replace("2B", "18")
    if not body.isdigit():
        return False
    return 97 - int(body) % 97 == int(s[13:])


def it_codice_fiscale(text: str) -> bool:
    s = text.upper()
    if not _CF.match(s):
        return False
    total = 0
    for i, ch in enumerate(s[:15]):
        if i % 2 == 0:
            total += _CF_ODD[ch]
        else:
            total += int(ch) if ch.isdigit() else ord(ch) - 65
    return chr(65 + total % 26) == s[15]


def es_dni(text: str) -> bool:
    s = text.replace("-", "").replace(" ", "").upper()
    m = re.match(r"^([XYZ]?)([0-9]{7,8})([A-Z])$", s)
    if not m or (m.group(1) and len(m.group(2)) != 7) or (not m.group(1) and len(m.group(2)) != 8):
        return False
    number = int(str("XYZ".index(m.group(1))) + m.group(2)) if m.group(1) else int(m.group(2))
    return "TRWAGMYFPDXBNJZSQVHLCKE"[number % 23] == m.group(3)


def nl_bsn(d: str) -> bool:
    if len(d) != 9 or not d.isdigit() or d == "000000000":
        return False
    total = sum(int(c) * w for c, w in zip(d[:8], range(9, 1, -1))) - int(d[8])
    return total % 11 == 0


def pl_pesel(d: str) -> bool:
    if len(d) != 11 or not d.isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(d[:10], (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)))
    month = int(d[2:4]) % 20
    return (10 - total % 10) % 10 == int(d[10]) and 1 <= month <= 12 and 1 <= int(d[4:6]) <= 31


def se_personnummer(text: str) -> bool:
    m = re.match(r"^(?:[0-9]{2})?([0-9]{6})[-+]?([0-9]{4})$", text)
    if not m:
        return False
    d = m.group(1) + m.group(2)
    return 1 <= int(d[2:4]) <= 12 and 1 <= int(d[4:6]) % 60 <= 31 and luhn(d)


def uk_nino(text: str) -> bool:
    return bool(_NINO.match(text.replace(" ", "").upper()))


def _ip(text: str) -> bool:
    if not (":" in text or text.count(".") == 3) or len(text) > 45:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _phone(text: str) -> bool:
    if not _PHONE.match(text):
        return False
    digits = sum(c.isdigit() for c in text)
    return 8 <= digits <= 15


def _digits(text: str) -> str:
    return re.sub(r"[ .-]", "", text)


VALIDATORS: dict[str, Any] = {
    "email": lambda t: bool(_EMAIL.match(t)),
    "phone": _phone,
    "iban": iban_valid,
    "payment_card": card_valid,
    "id_de_steuer": lambda t: de_steuer_id(_digits(t)),
    "id_fr_nir": fr_nir,
    "id_it_cf": it_codice_fiscale,
    "id_es_dni": es_dni,
    "id_nl_bsn": lambda t: nl_bsn(_digits(t)),
    "id_pl_pesel": lambda t: pl_pesel(_digits(t)),
    "id_se_pnr": se_personnummer,
    "id_uk_nino": uk_nino,
    "ip_address": _ip,
    "person_name": lambda t: bool(_NAME.match(t)),
    "postcode": lambda t: bool(_POSTCODE.match(t.upper())),
}
NATIONAL_IDS = tuple(k for k in VALIDATORS if k.startswith("id_"))
# shortest text each validator can accept: shorter values are not tested (most numbers, codes)
MIN_LENGTH = {"email": 6, "phone": 8, "iban": 15, "payment_card": 13, "id_de_steuer": 11, "id_fr_nir": 15,
              "id_it_cf": 16, "id_es_dni": 9, "id_nl_bsn": 9, "id_pl_pesel": 11, "id_se_pnr": 10, "id_uk_nino": 9,
              "ip_address": 2, "person_name": 5, "postcode": 5}


def by_content(values: list[Any]) -> list[dict[str, Any]]:
    """Per kind with at least one match (and ``national_id``: a match of any state's id):
    ``{kind, tested, matched, share}`` over the non-empty values (as text, stripped), at most
    MAX_TESTED of them; each distinct value is tested once. Numbers written as floats (``4.0``)
    are tested as the integer they are; other floats are not personal identifiers and are not
    tested. Kinds in a fixed order; nothing of the values is kept."""
    from collections import Counter
    counts: Counter[str] = Counter()
    for v in values[:MAX_TESTED]:
        if isinstance(v, float):
            if v != v or not v.is_integer():
                continue
            v = int(v)
        t = str(v).strip() if v is not None else ""
        if t:
            counts[t] += 1
    tested = sum(counts.values())
    if not tested:
        return []
    out = []
    any_id: Counter[str] = Counter()
    for kind, test in VALIDATORS.items():
        shortest = MIN_LENGTH[kind]
        hits = [t for t in counts if len(t) >= shortest and test(t)]
        matched = sum(counts[t] for t in hits)
        if matched:
            out.append({"kind": kind, "tested": tested, "matched": matched, "share": round(matched / tested, 6)})
        if kind in NATIONAL_IDS:
            any_id.update({t: 1 for t in hits})
    matched = sum(counts[t] for t in any_id)
    if matched:   # a column may mix the ids of several states
        out.append({"kind": "national_id", "tested": tested, "matched": matched, "share": round(matched / tested, 6)})
    return out


def dates_share(values: list[Any]) -> dict[str, Any]:
    texts = [str(v).strip() for v in values[:MAX_TESTED] if v is not None and str(v).strip()]
    matched = sum(1 for t in texts if _DATE.match(t))
    return {"kind": "date", "tested": len(texts), "matched": matched,
            "share": round(matched / len(texts), 6) if texts else 0.0}


def describe(column: str, name_kind: str | None, content: list[dict[str, Any]], looks: bool) -> str:
    """A sentence about the column made of its name, kinds and counts: never a value."""
    parts = []
    if name_kind:
        parts.append(f"its name suggests {DESCRIPTIONS.get(name_kind, name_kind)}")
    for hit in content:
        if hit["share"] >= CONTENT_SHARE or hit["kind"] == name_kind:
            parts.append(f"{hit['matched']} of {hit['tested']} tested values are "
                         f"{DESCRIPTIONS.get(hit['kind'], hit['kind'])}")
    verdict = "looks personal" if looks else "does not look personal"
    return f"column '{column}' {verdict}" + (": " + "; ".join(parts) if parts else "")
