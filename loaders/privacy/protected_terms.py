"""The protected-attribute vocabulary: field names in Danish, English, German, Swedish and Norwegian.

Each category lists terms three ways, as :mod:`.protected` matches them (all folded first: lower case,
no diacritics, æ/ae → a, ø/oe → o, å/aa → a, so "køn", "koen" and Swedish "kön" are one term):

- ``whole``: only a key that is exactly this ("party", "tro"), because as a part of a longer key the
  word means something ordinary ("thirdParty", "kontroller");
- ``words``: a word of the key after camelCase and separators are split ("disabilityStatus",
  "user_gender", "ageGroup"), or the whole key, with a plural "s";
- ``stems``: anywhere inside the key, for long distinctive stems that also catch compounds written
  as one word, as Danish, German, Swedish and Norwegian write them ("statsborgerskab",
  "Familienstand", "sexualorientation", "nationalities").

A stem must not occur inside an ordinary CV key: ``ORDINARY_WORDS`` lists the keys that looked
risky and are fine, and tests/unit/test_privacy_protected.py checks every key of the schemas.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Terms:
    """The terms of one protected category (see the module docstring for how each kind matches)."""

    whole: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()


def _terms(whole: str = "", words: str = "", stems: str = "") -> Terms:
    return Terms(frozenset(whole.split()), frozenset(words.split()), frozenset(stems.split()))


CATEGORIES: dict[str, Terms] = {
    "age or birth date": _terms(
        whole="dob yob",
        words="age alder ålder alter birth birthday birthdate birthyear geburtstag "
              "fødselsdag fødselsår födelseår fødselsdato födelsedatum fødsel",
        stems="dateofbirth yearofbirth birthdate birthyear geburt fødsels fødsel födelse lebensalter "
              "aldersgruppe",
    ),
    "sex or gender": _terms(
        whole="sexe",
        words="sex gender køn kön kjønn geschlecht kønsidentitet könsidentitet kjønnsidentitet",
        stems="gender geschlecht kønsidentitet",
    ),
    "nationality or citizenship": _terms(
        words="nationality nationalitet nasjonalitet nationalität citizenship herkomst herkunft fødeland födelseland "
              "fødested födelseort fødested birthplace",
        stems="nationalit nasjonalit citizenship statsborger staatsangehörig staatsbürger medborgarskap countryofbirth "
              "placeofbirth birthplace herkunftsland fødeland födelseland fødested födelseort",
    ),
    "ethnicity or race": _terms(
        whole="ras",
        words="race rasse ethnic ethnicity etnisk etnicitet ethnie",
        stems="ethnic etnic etnis ethnisch racial hautfarbe skincolo hudfarve hudfärg hudfarge "
              "abstammung",
    ),
    "health, disability or diagnosis": _terms(
        words="health helse hälsa hiv aids medical medicin medication illness sickness disease chronic",
        stems="health helbred gesundheit hälsotillst helsetilst disabilit handicap behinder funktionsnedsat "
              "funktionsnedsätt funksjonsnedsett funksjonshem diagnos illness sygdom sjukdom sykdom krankheit "
              "erkrankung medicalcondition medicalhistor",
    ),
    "religion or belief": _terms(
        whole="tro",
        words="faith belief religion religious church kirke kyrka kirche trosretning trossamfund livssyn",
        stems="religi trosretning trossamfund livssyn livsåskådning trossamfun trosuppfatt trosoppfat glaube glaubens konfession bekenntnis "
              "weltanschauung folkekirke kirkemedlem",
    ),
    "marital or family status": _terms(
        words="married gift verheiratet spouse ægtefælle children kinder børn barn pregnant pregnancy gravid "
              "schwanger",
        stems="marital civilstand civilstatus sivilstand sivilstatus familienstand ægteskab äktenskap "
              "ekteskap ehestand numberofchildren antalbørn pregnan schwanger gravidit",
    ),
    "sexual orientation": _terms(
        words="sexual sexuality seksuel seksuell sexuell sexuelle",
        stems="sexualorient sexualit seksualit sexuelllägg seksuelorient seksuellorient sexuelleorient "
              "sexualpräf",
    ),
    "political opinion or trade-union membership": _terms(
        whole="party parti partei",
        words="political politisk politiskt politisch union unions",
        stems="politicalopinion politicalaffil politicalparty politicalview politisk politisch parteizugeh "
              "partimedlem partitilhør partitillhör tradeunion laborunion labourunion unionmember fagforening fagforbund "
              "fackförening fackförbund fagforeining gewerkschaft",
    ),
    "photo": _terms(
        words="photo photograph picture image portrait foto billede bild bilde avatar",
    ),
    "CPR number": _terms(
        whole="ssn",
        words="cpr cprnr cprnummer personnummer personnr",
        stems="cprnumber cprnummer personnummer nationalid personalidentitynumber socialsecurity "
              "personalnumber personalidnumber",
    ),
}

# Keys a CV, a posting or JSON Resume uses that contain a stem or a word above and mean something
# else, as a word of the key: "healthcare" (a sector someone worked in), "language" ("age" inside).
ORDINARY_WORDS: frozenset[str] = frozenset({
    "healthcare", "healthcaresector", "language", "languages", "stage", "averagesalary",
})
