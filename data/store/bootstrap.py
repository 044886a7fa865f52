"""``urbdash init``: migrate the schema and load reference data (regions, aliases, indicators,
official series, headline targets). Idempotent: running it again refreshes reference rows."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from data import store
from data.reference import indicators
from data.reference.official import load_official_series
from data.reference.plan import read_plan
from data.reference.targets import PUBLISHED_TARGETS, TARGET_SETS, published_set
from data.store import audit
from data.store.models import (
    Indicator,
    OfficialValue,
    Region,
    RegionAlias,
    Target,
    TargetSet,
)
from data.store.tasks import load_plan
from geo.regions import PROVINCE_CODE, load_crosswalk, load_registry


def _upsert(sess, model, rows: list[dict], key: str) -> None:
    if not rows:
        return
    dialect = sess.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(model).values(rows)
    cols = {c: ins.excluded[c] for c in rows[0] if c != key}
    sess.execute(ins.on_conflict_do_update(index_elements=[key], set_=cols))


def _assign_sets(sess) -> None:
    """Targets stored before there were sets: a published target joins its published set, a
    city's allocation the set of the province target it divides (same indicator and period)."""
    published = {(i, p) for i, _v, _u, p, _b, _s in PUBLISHED_TARGETS}
    loose = sess.execute(select(Target).where(Target.set_name.is_(None))).scalars().all()
    for t in loose:
        if t.region_code == PROVINCE_CODE and (t.indicator, t.period) in published:
            t.set_name = published_set(t.period)
    sess.flush()
    province = {
        (t.indicator, t.period): t.set_name
        for t in sess.execute(select(Target).where(Target.region_code == PROVINCE_CODE)).scalars()
    }
    for t in loose:
        if t.set_name is None:
            t.set_name = province.get((t.indicator, t.period))


def init_store(engine: Engine | None = None) -> dict:
    """Migrate to the newest schema and (re)load reference data.

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.

    Returns
    -------
    dict
        Counts of what was loaded.
    """
    engine = engine or store.get_engine()
    revision = store.upgrade(engine)
    registry = load_registry()
    crosswalk = load_crosswalk()
    official = load_official_series()
    with store.transaction(engine) as sess:
        regions = registry.astype(object).where(registry.notna(), None).to_dict("records")
        # parents first so the self-referencing foreign keys hold on every row
        regions.sort(key=lambda r: {"province": 0, "city": 1, "county": 2}[r["level"]])
        _upsert(sess, Region, regions, "code")
        _load_aliases(sess, crosswalk)
        _upsert(
            sess,
            Indicator,
            [
                {
                    "code": i.code,
                    "name_zh": i.name_zh,
                    "name_en": i.name_en,
                    "unit": i.unit,
                    "kind": i.kind,
                    "min_value": i.min_value,
                    "max_value": i.max_value,
                }
                for i in indicators.INDICATORS
            ],
            "code",
        )
        _load_official(sess, official)
        _upsert(sess, TargetSet, [{"name": n, "source": s} for n, s in TARGET_SETS], "name")
        if sess.scalar(select(Target.id).limit(1)) is None:
            sess.add_all(
                Target(
                    indicator=i,
                    region_code=PROVINCE_CODE,
                    value=v,
                    unit=u,
                    period=p,
                    baseline_period=b,
                    source=s,
                    set_name=published_set(p),
                )
                for i, v, u, p, b, s in PUBLISHED_TARGETS
            )
        _assign_sets(sess)
        n_tasks = load_plan(sess, read_plan())
        audit.record(sess, "system", "init", {"revision": revision})
    return {
        "revision": revision,
        "regions": len(registry),
        "aliases": len(crosswalk),
        "indicators": len(indicators.INDICATORS),
        "official_values": len(official),
        "tasks": n_tasks,
    }


def _load_aliases(sess, crosswalk) -> None:
    """The region aliases (old codes and names, source-code differences), replaced whole."""
    sess.execute(delete(RegionAlias))
    sess.add_all(
        RegionAlias(
            alias_code=r.alias_code or None,
            alias_name=r.alias_name or None,
            region_code=r.current_code,
            kind=r.kind,
            valid_from=r.valid_from or None,
            valid_to=r.valid_to or None,
            source=r.source,
        )
        for r in crosswalk.itertuples(index=False)
    )


def _load_official(sess, official) -> None:
    """The published series with their sources, replaced whole."""
    sess.execute(delete(OfficialValue))
    sess.add_all(
        OfficialValue(
            region_code=r.region_code,
            year=int(r.year),
            indicator=r.indicator,
            value=float(r.value),
            unit=r.unit,
            basis=r.basis,
            flag=r.flag,
            source_title=r.source_title,
            source_url=r.source_url,
            note=r.note or None,
            licence=r.licence or None,
            boundary=r.boundary or None,
            published=r.published.date(),
            published_how=r.published_how,
        )
        for r in official.itertuples(index=False)
    )
