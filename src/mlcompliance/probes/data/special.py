"""Special categories of personal data (GDPR Art. 9(1), criminal data Art. 10) by a column's content.

``by_content(values)`` compares each value, normalised (lower case, accents and punctuation
removed, spaces collapsed), with a vocabulary per category, whole value against whole term (a
word inside free text never counts):

- ``racial_ethnic``: ethnic-group categories of the UK 2021 census (ONS) and the US OMB
  standard ("white british", "asian or asian british indian", "black african", "hispanic"...);
- ``religious``: religions and beliefs as census answers (EN, DE, FR, ES, IT, NL);
- ``political``: political opinions and the main parties of UK, DE, FR, ES, IT, NL, US;
- ``trade_union``: membership answers ("union member", "non union", "syndique"...) and large
  unions' names (ver.di, IG Metall, CGT, CGIL, CCOO, FNV, Unison...);
- ``sexual_orientation``: orientation terms (EN, DE, FR, ES, IT, NL);
- ``health``: ICD-10 codes written with their subcategory (``E11.9``: letter, two digits, dot)
  and common diagnoses (EN, DE, FR, ES, IT, NL);
- ``genetic``: dbSNP ids (``rs12345``), genotype calls (``AG``, ``A/G``) and DNA sequences of 20
  or more bases;
- ``criminal``: offences, verdicts and conviction terms (EN, DE, FR, ES, IT, NL).

Biometric data and sex life are not detected by content (face embeddings or templates are
numbers like any other; sex-life answers have no distinctive vocabulary): by name only.

Low false positives by construction: answers that say nothing (``yes``, ``no``, ``none``,
``unknown``, ``other``, ``0``/``1``...) are *neutral*: they neither match nor count in the share's
denominator, so a yes/no column is never a category. Terms that are also ordinary words
(``white``, ``black`` for colours, ``fraud`` as a transaction label, ``cancer`` as a star sign,
``labour`` as a cost type...) are *weak*: they count in the share but a category needs at least
one matched term that is not weak. Genotype calls need a heterozygous call (``AG``) among them,
so credit ratings (``AA``, ``CC``) are not genotypes. A category is *observed* when at least
SPECIAL_SHARE of the column's non-neutral tested values match it, with at least MIN_MATCHED
matches of at least MIN_DISTINCT distinct terms. Each hit is ``{category, tested, neutral,
matched, distinct, share}``: counts only, never a value.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

SPECIAL_SHARE = 0.5     # share of non-neutral tested values that must match one category
MIN_MATCHED = 2         # matched values at least
MIN_DISTINCT = 2        # distinct matched values at least (a constant column is no evidence)
MAX_TESTED = 2_000      # values tested per column (the personal-data sample)
VERSION = "1"           # bump when a vocabulary or threshold changes (part of the probe cache key)

DESCRIPTIONS = {
    "racial_ethnic": "racial or ethnic origin", "religious": "religious or philosophical beliefs",
    "political": "political opinions", "trade_union": "trade-union membership",
    "sexual_orientation": "sexual orientation", "health": "health data (diagnoses or ICD-10 codes)",
    "genetic": "genetic data (rsIDs, genotypes or DNA sequences)", "criminal": "criminal offences or convictions",
}



def _terms(text: str) -> frozenset[str]:
    """Terms separated by ";", normalised like the values (a term may span lines)."""
    return frozenset(normalise(t) for t in text.split(";") if t.strip())


def normalise(value: str) -> str:
    """Lower case, accents removed, every run of non-alphanumerics a single space, stripped."""
    text = unicodedata.normalize("NFKD", value.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text.replace("ß", "ss")))


NEUTRAL = _terms("""
    yes; no; y; n; true; false; t; f; 0; 1; none; nil; null; na; n/a; nan; unknown; not known; not stated;
    not specified; prefer not to say; declined; refused; other; others; missing; unspecified; no answer;
    not applicable; healthy; normal; ja; nein; keine; keiner; unbekannt; sonstige; andere; oui; non; aucun; aucune;
    inconnu; autre; autres; si; ninguno; ninguna; desconocido; otro; otros; otra; nessuno; nessuna; sconosciuto;
    altro; altri; geen; onbekend; anders; overig""")

VOCAB: dict[str, frozenset[str]] = {
    "racial_ethnic": _terms("""
        white british; white english; white: english, welsh, scottish, northern irish or british; white irish;
        white other; other white; any other white background; white gypsy or irish traveller; gypsy or irish traveller;
        irish traveller; roma; white roma; mixed; mixed or multiple ethnic groups; mixed white and black caribbean;
        white and black caribbean; white and black african; white and asian; mixed white and asian; other mixed;
        any other mixed or multiple background; asian; asian british; asian or asian british; asian or asian british:
        indian; asian or asian british: pakistani; asian or asian british: bangladeshi; asian or asian british: chinese;
        asian or asian british: other asian; british asian; indian; pakistani; bangladeshi; chinese; other asian;
        any other asian background; black; black british; black or black british; black, black british, caribbean or
        african; black african; black caribbean; black or african american; african american; african; caribbean;
        other black; any other black background; arab; other ethnic group: arab; other ethnic group;
        any other ethnic group; white; caucasian; hispanic; latino; latina; latinx; hispanic or latino;
        not hispanic or latino; non-hispanic white; non-hispanic black; american indian or alaska native;
        american indian; alaska native; native american; native hawaiian or other pacific islander; pacific islander;
        two or more races; multiracial; biracial; mestizo; aboriginal; aboriginal or torres strait islander;
        maori; first nations; inuit; metis; sinti; sinti und roma; gens du voyage; gitano; gitana"""),
    "religious": _terms("""
        christian; christianity; catholic; roman catholic; protestant; anglican; church of england; church of scotland;
        lutheran; evangelical; methodist; baptist; presbyterian; pentecostal; orthodox; eastern orthodox;
        greek orthodox; russian orthodox; mormon; jehovah's witness; muslim; islam; islamic; sunni; shia; jewish;
        judaism; hindu; hinduism; buddhist; buddhism; sikh; sikhism; jain; jainism; bahai; baha'i; taoist; shinto;
        pagan; wiccan; zoroastrian; atheist; atheism; agnostic; humanist; no religion; non-religious;
        christlich; christ; katholisch; romisch-katholisch; evangelisch; protestantisch; orthodox; muslimisch;
        moslem; judisch; hinduistisch; buddhistisch; konfessionslos; ohne konfession; atheistisch;
        chretien; chretienne; catholique; protestante; orthodoxe; musulman; musulmane; juif; juive; hindouiste;
        bouddhiste; athee; agnostique; sans religion;
        cristiano; cristiana; catolico; catolica; protestante; ortodoxo; ortodoxa; musulman; musulmana; judio; judia;
        hindu; budista; ateo; atea; agnostico; agnostica; sin religion;
        cattolico; cattolica; ortodosso; ortodossa; musulmano; ebreo; ebrea; induista; buddista; agnostico;
        nessuna religione; senza religione;
        christelijk; christen; katholiek; rooms-katholiek; protestants; hervormd; gereformeerd; moslim; islamitisch;
        joods; hindoe; boeddhist; boeddhistisch; atheist; geen religie; niet religieus"""),
    "political": _terms("""
        left-wing; right-wing; far left; far right; centre-left; center-left; centre-right; center-right;
        centrist; liberal; conservative; socialist; communist; social democrat; libertarian; green party;
        greens; the greens; nationalist; labour; labour party; conservative party; tory; tories;
        liberal democrats; lib dem; lib dems; reform uk; snp; plaid cymru; ukip; democrat; democratic party;
        democrats; republican; republican party; republicans; independent voter;
        cdu; csu; cdu/csu; spd; fdp; afd; die linke; linke; grune; bundnis 90/die grunen; bsw;
        renaissance; la republique en marche; en marche; rassemblement national; front national;
        les republicains; parti socialiste; la france insoumise; europe ecologie les verts; reconquete;
        psoe; partido popular; vox; podemos; sumar; ciudadanos;
        fratelli d'italia; lega; partito democratico; movimento 5 stelle; forza italia; azione; italia viva;
        vvd; pvv; d66; cda; groenlinks; pvda; groenlinks-pvda; sp; nsc; bbb; partij voor de dieren;
        links; rechts; gauche; droite; izquierda; derecha; sinistra; destra"""),
    "trade_union": _terms("""
        union member; trade union member; member of a trade union; unionised; unionized; union; non-union;
        non union; nonunion; not a union member; non-member of union; union membership; collective agreement member;
        gewerkschaftsmitglied; gewerkschaftlich organisiert; kein gewerkschaftsmitglied; syndique; syndiquee;
        non syndique; non syndiquee; afiliado a sindicato; afiliada a sindicato; sindicado; sindicada;
        no sindicado; iscritto al sindacato; iscritta al sindacato; sindacalizzato; non iscritto al sindacato;
        vakbondslid; lid van vakbond; geen vakbondslid;
        unite; unison; gmb; usdaw; rmt; nhs unison; ver.di; verdi; ig metall; ig bce; dgb; cgt; cfdt; cgt-fo;
        force ouvriere; cfe-cgc; cgil; cisl; uil; ccoo; comisiones obreras; ugt; fnv; cnv; teamsters; afl-cio;
        seiu; uaw; aft; nea"""),
    "sexual_orientation": _terms("""
        heterosexual; straight; gay; lesbian; bisexual; homosexual; asexual; pansexual; queer; questioning;
        gay or lesbian; gay man; gay woman; lgb; lgbt; lgbtq; lgbtq+; lgbtqia+; other sexual orientation;
        heterosexuell; homosexuell; bisexuell; schwul; lesbisch; asexuell; heterosexuel; heterosexuelle;
        homosexuel; homosexuelle; bisexuel; bisexuelle; lesbienne; gai; gaie; asexuel;
        lesbiana; gai; eterosessuale; omosessuale; bisessuale; lesbica;
        heteroseksueel; homoseksueel; biseksueel; lesbisch; homo; hetero"""),
    "health": _terms("""
        diabetes; diabetic; type 1 diabetes; type 2 diabetes; diabetes mellitus; asthma; asthmatic; hypertension;
        high blood pressure; depression; major depressive disorder; anxiety; anxiety disorder; cancer;
        breast cancer; lung cancer; prostate cancer; colorectal cancer; leukaemia; leukemia; lymphoma; melanoma;
        tumour; tumor; hiv; hiv positive; aids; hepatitis; hepatitis b; hepatitis c; tuberculosis; covid-19; covid;
        pneumonia; influenza; copd; chronic obstructive pulmonary disease; stroke; heart disease; heart failure;
        coronary artery disease; myocardial infarction; heart attack; atrial fibrillation; epilepsy; dementia;
        alzheimer's; alzheimer's disease; alzheimer; parkinson's; parkinson's disease; multiple sclerosis;
        schizophrenia; bipolar disorder; autism; adhd; ptsd; eating disorder; anorexia; bulimia; obesity; obese;
        arthritis; rheumatoid arthritis; osteoarthritis; osteoporosis; chronic kidney disease; ckd; kidney failure;
        cirrhosis; migraine; crohn's disease; ulcerative colitis; sickle cell; cystic fibrosis; pregnant; pregnancy;
        disabled; disability; learning disability; wheelchair user; blind; deaf; substance abuse; alcoholism;
        zuckerkrankheit; bluthochdruck; hypertonie; depressionen; krebs; brustkrebs; schlaganfall; herzinfarkt;
        demenz; epilepsie; schwanger; schwangerschaft; behindert; behinderung;
        diabete; asthme; dépression; depression; cancer du sein; avc; infarctus; demence; enceinte; grossesse;
        handicap; handicape;
        hipertension; depresion; cancer de mama; asma; ictus; infarto; demencia; embarazada; embarazo; discapacidad;
        ipertensione; depressione; cancro; tumore; diabete mellito; demenza; incinta; gravidanza; disabilita;
        suikerziekte; hoge bloeddruk; depressie; kanker; borstkanker; astma; beroerte; hartinfarct; dementie;
        zwanger; zwangerschap; handicap; gehandicapt"""),
    "criminal": _terms("""
        convicted; conviction; prior conviction; previous conviction; previous convictions; no prior convictions;
        criminal record; guilty; not guilty; acquitted; charged; arrested; on probation; probation; parole;
        paroled; incarcerated; imprisoned; prison sentence; suspended sentence; custodial sentence; fined;
        offender; ex-offender; reoffended; recidivist; felony; misdemeanor; misdemeanour; theft; burglary; robbery;
        assault; aggravated assault; battery; murder; manslaughter; homicide; rape; sexual assault; sex offence;
        sex offense; fraud; embezzlement; forgery; shoplifting; vandalism; arson; drug possession;
        drug trafficking; possession of drugs; dui; dwi; drink driving; drunk driving; domestic violence;
        money laundering; kidnapping; stalking;
        vorbestraft; verurteilt; nicht vorbestraft; freigesprochen; diebstahl; einbruch; raub; korperverletzung;
        betrug; mord; totschlag; brandstiftung; bewahrung; haftstrafe;
        condamne; condamnee; casier judiciaire; acquitte; cambriolage; agression; escroquerie; meurtre; viol;
        incendie criminel; trafic de stupefiants;
        condenado; condenada; antecedentes penales; absuelto; hurto; robo; agresion; estafa; asesinato; homicidio;
        violacion; trafico de drogas;
        condannato; condannata; precedenti penali; assolto; furto; rapina; aggressione; truffa; omicidio; stupro;
        spaccio;
        veroordeeld; strafblad; vrijgesproken; diefstal; inbraak; beroving; mishandeling; oplichting; moord;
        doodslag; verkrachting; brandstichting"""),
}

# terms that are also ordinary words: counted, but a category needs a matched term that is not weak
WEAK: dict[str, frozenset[str]] = {
    "racial_ethnic": _terms("white; black; mixed; indian; chinese; african; caribbean; arab; asian; roma; "
                            "aboriginal; other ethnic group; any other ethnic group; sinti"),
    "religious": _terms("christ; orthodox; ortodoxo; ortodoxa; orthodoxe; ortodosso; ortodossa; pagan"),
    "political": _terms("liberal; conservative; labour; democrat; republican; greens; links; rechts; gauche; "
                        "droite; izquierda; derecha; sinistra; destra; azione; renaissance; lega; vox; linke; "
                        "nationalist; centrist; sp; bbb; nsc; sumar"),
    "trade_union": _terms("union; unite; verdi; aft; nea; dgb; ugt; uil; cisl; gmb; rmt; uaw"),
    "sexual_orientation": _terms("straight; gay; queer; questioning; homo; hetero; gai; gaie"),
    "health": _terms("cancer; depression; stroke; blind; deaf; anxiety; aids; covid; handicap; tumor; tumour; infarto; "
                     "disabled; disability; obese"),
    "criminal": _terms("fraud; charged; fined; guilty; probation; battery; theft; robbery; assault; arrested; "
                       "offender; raub; viol; robo; furto; parole"),
}

_ICD10 = re.compile(r"^[A-Z][0-9]{2}\.[0-9A-Z]{1,4}$")
_RSID = re.compile(r"^rs[0-9]{2,10}$", re.IGNORECASE)
_GENOTYPE = re.compile(r"^(?:rs[0-9]{2,10}[ :=_-])?([ACGT])[/|]?([ACGT])$")
_DNA = re.compile(r"^[ACGTN]{20,}$")


def _pattern_category(text: str) -> tuple[str, bool] | None:
    """(category, strong) a value's form shows: ICD-10 codes (health), rsIDs, genotypes, DNA (genetic).
    A genotype is strong only when heterozygous (two different bases)."""
    if _ICD10.match(text):
        return "health", True
    if _RSID.match(text) or _DNA.match(text):
        return "genetic", True
    m = _GENOTYPE.match(text)
    if m:
        return "genetic", m.group(1) != m.group(2)
    return None


def by_content(values: list[Any]) -> list[dict[str, Any]]:
    """Per category with at least one match: ``{category, tested, neutral, matched, distinct, share,
    observed}`` over the non-empty text values (at most MAX_TESTED), share = matched / (tested -
    neutral); ``observed`` when the thresholds of the module docstring hold. Numbers are not tested
    (no category is written as a number). Categories in a fixed order; no value is kept."""
    counts: Counter[str] = Counter()
    for v in values[:MAX_TESTED]:
        if v is None or isinstance(v, (bool, int, float)):
            continue
        t = str(v).strip()
        if t:
            counts[t] += 1
    tested = sum(counts.values())
    if not tested:
        return []
    neutral = 0
    matched: Counter[str] = Counter()
    distinct: Counter[str] = Counter()
    strong: set[str] = set()
    for text, n in counts.items():
        norm = normalise(text)
        if not norm or norm in NEUTRAL:
            neutral += n
            continue
        found = _pattern_category(text.strip())
        hits = [found] if found else [(c, norm not in WEAK.get(c, ())) for c, terms in VOCAB.items() if norm in terms]
        for category, is_strong in hits:
            matched[category] += n
            distinct[category] += 1
            if is_strong:
                strong.add(category)
    base = tested - neutral
    out = []
    for category in DESCRIPTIONS:
        if not matched[category]:
            continue
        share = round(matched[category] / base, 6) if base else 0.0
        out.append({"category": category, "tested": tested, "neutral": neutral, "matched": matched[category],
                    "distinct": distinct[category], "share": share,
                    "observed": share >= SPECIAL_SHARE and matched[category] >= MIN_MATCHED
                    and distinct[category] >= MIN_DISTINCT and category in strong})
    return out


def describe(column: str, hits: list[dict[str, Any]]) -> str:
    """A sentence made of the column name, categories and counts: never a value."""
    parts = [f"{h['matched']} of {h['tested'] - h['neutral']} tested values that say something "
             f"({h['neutral']} neutral answers left out) are {DESCRIPTIONS[h['category']]}"
             for h in hits if h["observed"]]
    return f"column '{column}' looks like special-category data by content: " + "; ".join(parts) if parts \
        else f"column '{column}' shows no special category by content"
