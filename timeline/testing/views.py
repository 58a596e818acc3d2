"""Synthetic views for render tests and benchmarks: the view of a synthetic case, read the real way.

``synthetic_view(5000)`` builds the synthetic case of 5,000 events
(:mod:`timeline.testing.cases`: long-tailed actors per event, mixed date
precisions, event types and roles from the ontology, citations into
generated articles), loads its N-Quads into an in-memory store and reads
them with :func:`timeline.views.model.load_view`, so a test sees what a
page of a built case would show and nothing assembled by hand.
"""

from __future__ import annotations

import functools
import pickle

from timeline.stores import OxigraphStore
from timeline.testing.cases import synthetic_nquads
from timeline.views.model import View, load_view


def synthetic_view(n_events: int, seed: int = 7, n_entities: int | None = None, n_sources: int | None = None,
                   title: str | None = None) -> View:
    """The view of ``synthetic_case(n_events, seed, n_entities=..., n_sources=..., title=...)``.

    The same arguments give an equal view; each call returns a fresh copy, so a caller may change it.
    """
    return pickle.loads(_pickled_view(n_events, seed, n_entities, n_sources, title))


@functools.lru_cache(maxsize=8)
def _pickled_view(n_events: int, seed: int, n_entities: int | None, n_sources: int | None,
                  title: str | None) -> bytes:
    # Building a large view takes seconds and tests ask for the same sizes again; tests also change the view
    # they get, so the cache keeps bytes and every call unpickles its own copy.
    store = OxigraphStore()
    store.add_nquads(synthetic_nquads(n_events, seed, n_entities=n_entities, n_sources=n_sources, title=title))
    return pickle.dumps(load_view(store), protocol=pickle.HIGHEST_PROTOCOL)
