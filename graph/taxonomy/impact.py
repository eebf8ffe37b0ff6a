"""Impact of a taxonomy diff on what the store holds: CVs, postings and recently served recommendations.

Read-only. A stored item is *affected* when it links to (or, for a recommendation, its audit body
mentions) a URI the diff touches; each link says why (:data:`ontology.diff.REASONS`). Links to removed
concepts are the ones an upgrade must migrate (``broken``); the others only change labels, scores or
paths the next time the item is matched.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from graph.ledger import AuditQuery, Ledger
from graph.matching.scoring import MatchSettings
from graph.records import CvRecord, PostingRecord
from graph.store import Store
from graph.taxonomy.rematch import TOP, RankChange, by_municipality, rematch
from ontology.diff import REASONS, TaxonomyDiff

T = TypeVar("T")
# Reading in pages keeps memory flat at 100k CVs and matches the stores' batch sizes.
PAGE = 500
DEFAULT_DAYS = 90  # recommendations older than a quarter are rarely acted on any more
# URIs inside an audit body (canonical JSON: a URI ends at the closing quote).
_URI_IN_BODY = re.compile(r'(?:http://data\.europa\.eu/esco/|urn:jobmatch:local:)[^"\s\\]+')


@dataclass(frozen=True, slots=True)
class AffectedLink:
    """One link of a stored item to a changed concept. ``role``: skill | seeks | worked_as (CVs),
    requirement | occupation (postings), mentioned (recommendations)."""

    role: str
    uri: str
    label: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AffectedItem:
    """A CV (by pseudonym), a posting (by id) or an audit record (by id, with its citizen and time)."""

    id: str
    links: tuple[AffectedLink, ...]
    cv_id: str = ""
    at: str = ""
    ontology_version: str = ""

    @property
    def broken(self) -> bool:
        """Whether a link points at a concept the new version no longer has."""
        return any("removed" in link.reasons for link in self.links)


@dataclass(frozen=True)
class ImpactReport:
    old_version: str
    new_version: str
    days: int
    since: str
    cvs: tuple[AffectedItem, ...]
    postings: tuple[AffectedItem, ...]
    recommendations: tuple[AffectedItem, ...]
    scanned: Mapping[str, int]
    # Every CV matched on the version in force and on the new one (:mod:`graph.taxonomy.rematch`); empty
    # when the caller did not re-match.
    rematched: tuple[RankChange, ...] = ()
    # "all", or "current" when the store cannot list postings that are expired or unlocated.

    def groups(self) -> dict[str, tuple[AffectedItem, ...]]:
        return {"cvs": self.cvs, "postings": self.postings, "recommendations": self.recommendations}

    def counts(self) -> dict[str, dict[str, Any]]:
        """Per group: scanned, affected, broken (linking a removed concept) and affected items per reason."""
        out: dict[str, dict[str, Any]] = {}
        for name, items in self.groups().items():
            reasons: Counter[str] = Counter()
            for item in items:
                reasons.update({r for link in item.links for r in link.reasons})
            out[name] = {"scanned": self.scanned.get(name, 0), "touched": len(items), "affected": len(items),
                         "broken": sum(1 for i in items if i.broken),
                         "by_reason": {r: reasons[r] for r in REASONS if reasons[r]}}
        if self.rematched:
            # Measured: affected = whose list changes (CVs), that enter or leave a list (postings). A link to
            # a changed concept alone is only "touched" (a new broader concept moves no score).
            changed = sum(1 for c in self.rematched if c.changed)
            moved = len({p for c in self.rematched for p in (*c.entered, *c.left)})
            out["cvs"].update(affected=changed, lists_changed=changed)
            out["postings"].update(affected=moved, lists_changed=moved)
        return out

    def as_json(self) -> dict[str, Any]:
        def item(i: AffectedItem) -> dict[str, Any]:
            d: dict[str, Any] = {"id": i.id, "broken": i.broken,
                                 "links": [{"role": x.role, "uri": x.uri, "label": x.label,
                                            "reasons": list(x.reasons)} for x in i.links]}
            if i.cv_id:
                d.update(cv_id=i.cv_id, at=i.at, ontology_version=i.ontology_version)
            return d

        return {"old_version": self.old_version, "new_version": self.new_version, "days": self.days,
                "since": self.since, "counts": self.counts(),
                **{name: [item(i) for i in items] for name, items in self.groups().items()},
                "rematch": {"top": TOP, "by_municipality": by_municipality(self.rematched),
                            "changed": [c.as_json() for c in self.rematched if c.changed]} if self.rematched else None}


def impact_of(diff: TaxonomyDiff, store: Store, ledger: Ledger, *, days: int = DEFAULT_DAYS, now: datetime | None = None,
              page: int = PAGE, after: Store | None = None, migrated: Mapping[str, CvRecord] | None = None,
              settings: MatchSettings | None = None) -> ImpactReport:
    """Which stored CVs, postings and recommendations served in the last ``days`` the diff touches; with
    ``after`` (a store holding the new version and the postings as the upgrade would leave them) and
    ``migrated`` (the CVs the upgrade would rewrite), which CVs' lists it changes.

    :raise StoreUnavailableError: if the store cannot be read.
    """
    now = now or datetime.now(UTC)
    since = (now - timedelta(days=days)).isoformat(timespec="milliseconds")
    affected = diff.affected()

    def links(pairs: Iterable[tuple[str, str]]) -> tuple[AffectedLink, ...]:
        seen = dict.fromkeys((role, uri) for role, uri in pairs if uri in affected)
        return tuple(AffectedLink(role, uri, diff.name(uri), affected[uri]) for role, uri in seen)

    cvs: list[AffectedItem] = []
    cv_ids = store.cv_ids()
    changes: list[RankChange] = []
    for start in range(0, len(cv_ids), page):
        chunk = list(fetch_pages(store.get_cvs, cv_ids[start:start + page], page))
        for cv in chunk:
            found = links(cv_links(cv))
            if found:
                cvs.append(AffectedItem(cv.id, found))
        if after is not None:
            changes += rematch(store, after, chunk, migrated=migrated, settings=settings, valid_on=now.date())
    postings: list[AffectedItem] = []
    posting_ids = store.posting_ids()
    for p in fetch_pages(store.get_postings, posting_ids, page):
        found = links(posting_links(p))
        if found:
            postings.append(AffectedItem(p.id, found))
    recommendations: list[AffectedItem] = []
    scanned_records = 0
    last_seq = 0
    while batch := ledger.audit_records(AuditQuery(since=since, limit=page, after_seq=last_seq)):
        last_seq = batch[-1].seq
        scanned_records += len(batch)
        for rec in batch:
            found = links(("mentioned", uri) for uri in sorted(set(_URI_IN_BODY.findall(rec.body))))
            if found:
                recommendations.append(AffectedItem(rec.id, found, cv_id=rec.cv_id, at=rec.at,
                                                    ontology_version=rec.ontology_version))
    return ImpactReport(
        old_version=diff.old_version, new_version=diff.new_version, days=days, since=since,
        cvs=tuple(cvs), postings=tuple(postings), recommendations=tuple(recommendations),
        scanned={"cvs": len(cv_ids), "postings": len(posting_ids), "recommendations": scanned_records},
        rematched=tuple(changes),
    )


def fetch_pages(fetch: Callable[[Iterable[str]], Mapping[str, T]], ids: Sequence[str], page: int) -> Iterator[T]:
    """Records for ``ids`` fetched ``page`` at a time, in id order (unknown ids skipped)."""
    for start in range(0, len(ids), page):
        chunk = ids[start:start + page]
        got = fetch(chunk)
        yield from (got[i] for i in chunk if i in got)


def cv_links(cv: CvRecord) -> Iterator[tuple[str, str]]:
    """``(role, uri)`` of every taxonomy link of a CV."""
    yield from (("skill", s.skill) for s in cv.skills)
    yield from (("seeks", o) for o in cv.seeks)
    yield from (("worked_as", w.occupation) for w in cv.worked_as)


def posting_links(p: PostingRecord) -> Iterator[tuple[str, str]]:
    """``(role, uri)`` of every taxonomy link of a posting."""
    yield from (("requirement", r.skill) for r in p.requirements)
    if p.occupation:
        yield ("occupation", p.occupation)


# -- the readable report ----------------------------------------------------------------------------
_TITLES = {"cvs": "CVs", "postings": "Postings", "recommendations": "Recommendations"}


def render_impact(report: ImpactReport, limit: int = 50) -> str:
    """The report as text: a table of counts, then the affected items (``limit`` per group, 0 = all).
    ``!`` marks an item that links a removed concept (an upgrade must migrate it)."""
    counts = report.counts()
    out = [f"Impact of ESCO {report.old_version} → {report.new_version} on the store", "",
           f"{'':<18}{'scanned':>9}{'touched':>9}{'broken':>8}{'affected':>10}"]
    for name, c in counts.items():
        affected = f"{c['lists_changed']:,}" if "lists_changed" in c else "-"
        out.append(f"  {_TITLES[name]:<16}{c['scanned']:>9,}{c['touched']:>9,}{c['broken']:>8,}{affected:>10}")
    out.append(f"  (touched = links a changed concept; broken = links a removed one; affected = its list changes "
               f"(CVs) or it enters or leaves a list (postings), measured by matching on both versions; "
               f"recommendations served since {report.since[:10]}, the last {report.days} days)")
    if report.rematched:
        per = by_municipality(report.rematched)
        out.extend(["", f"Every CV matched on ESCO {report.old_version} and on {report.new_version} (top {TOP}): "
                    f"{counts['cvs']['lists_changed']:,} of {len(report.rematched):,} lists change",
                    f"  {'municipality':<14}{'CVs':>7}{'changed':>9}{'entered':>9}{'left':>7}{'moved':>7}"])
        for m, c in per.items():
            out.append(f"  {m:<14}{c['cvs']:>7,}{c['changed']:>9,}{c['entered']:>9,}{c['left']:>7,}{c['moved']:>7,}")
    for name, c in counts.items():
        if c["by_reason"]:
            out.append(f"{_TITLES[name]} by reason: " + ", ".join(f"{r} {n:,}" for r, n in c["by_reason"].items()))
    for name, items in report.groups().items():
        if not items:
            continue
        out.extend(["", f"{_TITLES[name]} ({len(items):,})"])
        shown = items if limit <= 0 else items[:limit]
        for item in shown:
            head = f"  {'!' if item.broken else '~'} {item.id}"
            if item.cv_id:
                head += f" (cv {item.cv_id}, {item.at[:19]}, ESCO {item.ontology_version or '?'})"
            parts = [f'{x.role} "{x.label}" [{", ".join(x.reasons)}]' for x in item.links]
            out.append(f"{head}: " + "; ".join(parts))
        if len(shown) < len(items):
            out.append(f"  … and {len(items) - len(shown):,} more (--json lists all)")
    return "\n".join(out) + "\n"
