"""Plain-language Danish explanations for citizens, generated from a suggestion's paths and evidence.

Written for a citizen reading over the consultant's shoulder (or later on Jobnet): no ESCO terms, no
scores, only what the suggestion rests on, what is missing, and that a person decides.
"""

from __future__ import annotations

from typing import Any

_VIA = {
    "broader": "som er en bredere form for det, du kan",
    "narrower": "som er en mere specifik del af det, du kan",
    "sibling": "som ligner noget, du kan",
}


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _km(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def explain_suggestion_da(item: dict[str, Any]) -> str:
    """Explain one served suggestion (the JSON of :func:`graph.matching.explain.suggestion_json`) in Danish."""
    if item.get("reason") == "title":
        return (f"Dette job er foreslået, fordi titlen «{item['posting']['title']}» svarer til det job, du søger. "
                f"Det ligger {_km(item['distance_km'])} km fra din bopæl.")
    if item.get("reason") == "unskilled":
        return (f"Dette job er foreslået, fordi det ikke kræver særlige kvalifikationer og ligger "
                f"{_km(item['distance_km'])} km fra din bopæl.")
    exact = [m for m in item.get("matched", []) if m["via"] == "exact"]
    near = [m for m in item.get("matched", []) if m["via"] != "exact"]
    essential = [m["skill"]["label"] for m in exact if m["kind"] == "essential"]
    other = [m["skill"]["label"] for m in exact if m["kind"] != "essential"]
    parts = [f"Dette job som «{item['posting']['title']}» er foreslået, fordi"]
    if essential:
        parts.append(f"du har erfaring med {_join(essential[:4])}, som arbejdsgiveren kræver.")
    elif other:
        parts.append(f"du har erfaring med {_join(other[:4])}, som arbejdsgiveren gerne ser.")
    elif item.get("occupation_fit") in ("desired", "past"):
        parts.append("det er den slags job, du søger eller har haft.")
    else:
        parts.append("dine kompetencer passer til flere af jobbets krav.")
    if essential and other:
        parts.append(f"Du kan også {_join(other[:3])}, som er et plus.")
    for m in near[:2]:
        parts.append(f"Jobbet kræver {m['skill']['label']}, {_VIA.get(m['via'], 'som ligner noget, du kan')} "
                     f"({m['cv_skill']['label']}).")
    quotes = [m["evidence"][0]["sentence"] for m in exact if m.get("evidence")][:1]
    if quotes:
        parts.append(f"I dit CV skriver du: «{quotes[0]}»")
    if item.get("occupation_fit") == "desired":
        parts.append("Det er også et af de job, du har ønsket.")
    elif item.get("occupation_fit") == "past":
        parts.append("Du har arbejdet med noget lignende før.")
    parts.append(f"Arbejdspladsen ligger {_km(item['distance_km'])} km fra din bopæl.")
    missing = [m["label"] for m in item.get("missing_essential", [])]
    if missing:
        parts.append(f"Jobbet kræver også {_join(missing[:4])}, som vi ikke kan se i dit CV — tal med din "
                     "rådgiver om det.")
    parts.append("Forslaget er et udgangspunkt for en samtale; det er dig og din rådgiver, der beslutter.")
    return " ".join(parts)


def explain_alternative_da(item: dict[str, Any]) -> str:
    """Explain one alternative occupation (the JSON of :func:`graph.matching.explain.alternative_json`) in Danish."""
    have = [m["skill"]["label"] for m in item.get("matched", [])][:4]
    missing = [m["label"] for m in item.get("missing_essential", [])][:4]
    text = [f"Faget «{item['occupation']['label']}» er foreslået som en ny mulighed, fordi du allerede kan "
            f"{_join(have)}, som også bruges i dette fag "
            f"({item['essential_covered']} af {item['essential_total']} centrale kompetencer)."]
    if missing:
        text.append(f"For at komme i gang mangler du måske {_join(missing)}.")
    n = item.get("postings_nearby", 0)
    text.append("Der er ingen ledige stillinger i faget i nærheden lige nu." if not n else
                "Der er lige nu 1 ledig stilling i faget i nærheden." if n == 1 else
                f"Der er lige nu {n} ledige stillinger i faget i nærheden.")
    text.append("Forslaget er et udgangspunkt for en samtale; det er dig og din rådgiver, der beslutter.")
    return " ".join(text)
