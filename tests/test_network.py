"""networkx projections of the sample case: co-participation, relations, centrality, cited paths, exports."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest

from timeline import resources
from timeline.case.loader import load_case
from timeline.errors import TimelineError
from timeline.views.model import load_view
from timeline.views.network import (
    actor_event_graph,
    centrality,
    components,
    coparticipation_graph,
    ego,
    is_agent,
    paths,
    relation_graph,
    write_gexf,
    write_graphml,
)


@pytest.fixture(scope="module")
def case():
    return load_case(resources.sample_case_dir())[0]


def _agents(view, event) -> set[str]:
    return {p.id for p in event.participants if is_agent(view.entities[p.id].kind)}


def test_the_aclu_reaches_ice_through_cited_shared_events(view, case) -> None:
    found = paths(view, "aclu", "ice")
    assert found
    assert len(found) <= 20
    lengths = [len(p) for p in found]
    assert lengths == sorted(lengths), "shortest paths first"
    assert min(lengths) == 1  # Guliani's statement for the ACLU targets ICE
    events = {e.id: e for e in view.events}
    for path in found:
        assert path[0].from_id == "aclu" and path[-1].to_id == "ice"
        assert len(path) <= 4
        for hop, following in itertools.pairwise(path):
            assert hop.to_id == following.from_id
        assert len({h.from_id for h in path} | {path[-1].to_id}) == len(path) + 1, "simple paths"
        for hop in path:
            assert {hop.from_id, hop.to_id} <= _agents(view, events[hop.event_id])
            assert hop.date_label == events[hop.event_id].date_label and hop.event_label
            assert hop.citation is not None and hop.citation == events[hop.event_id].citations[0]
            assert hop.citation.quote in case.sources[hop.citation.source].text
    assert [h.event_id for h in found[0]] == ["guliani-statement-to-mashable-2018-10-23"]
    assert ["aclu-report-2018-05", "amazon-ice-meeting-2018-06"] in [[h.event_id for h in p] for p in found]
    assert found == paths(view, "ACLU", "U.S. Immigration and Customs Enforcement"), "names resolve, same answer"
    assert len(paths(view, "aclu", "ice", limit=3)) == 3


def test_paths_respect_max_hops_and_limit(view) -> None:
    assert paths(view, "eff", "ice", max_hops=1) == []  # no event has both
    direct = paths(view, "amazon", "ice", max_hops=1, limit=100)
    shared = [e.id for e in sorted(view.events, key=lambda e: (e.sort, e.id)) if {"amazon", "ice"} <= _agents(view, e)]
    assert [[h.event_id for h in p] for p in direct] == [[e] for e in shared]
    longer = paths(view, "eff", "ice", max_hops=3, limit=500)
    assert all(len(p) <= 3 for p in longer) and any(len(p) == 3 for p in longer)
    with pytest.raises(TimelineError):
        paths(view, "aclu", "ice", max_hops=0)


def test_not_connected_is_an_empty_answer(view, store) -> None:
    # Black Lives Matter is the only agent of its one event: no path leads to it.
    assert paths(view, "aclu", "black-lives-matter") == []
    assert ["black-lives-matter"] in components(coparticipation_graph(view))
    # In a view of ICE's events the EFF takes part in nothing: not connected either.
    only_ice = load_view(store, actors=["ice"])
    assert paths(only_ice, "eff", "ice") == []
    assert paths(view, "ice", "ice") == []


def test_paths_refuse_unknown_names_and_non_actors(view) -> None:
    with pytest.raises(TimelineError, match="did you mean 'amazon'"):
        paths(view, "amazn", "ice")
    with pytest.raises(TimelineError, match="not an actor"):
        paths(view, "rekognition", "ice")


def test_coparticipation_weight_counts_shared_events(view) -> None:
    graph = coparticipation_graph(view)
    shared = sorted(e.id for e in view.events if {"amazon", "ice"} <= {p.id for p in e.participants})
    assert shared and graph["amazon"]["ice"]["weight"] == len(shared)
    assert graph["amazon"]["ice"]["events"] == shared
    events = {e.id: e for e in view.events}
    for u, v, data in graph.edges(data=True):
        assert isinstance(data["weight"], int) and data["weight"] == len(data["events"]) >= 1
        assert data["events"] == sorted(data["events"])
        for e in data["events"]:
            assert {u, v} <= _agents(view, events[e])
        assert {(c["event"], c["source"], c["quote"]) for c in data["citations"]} == {
            (e, c.source, c.quote) for e in data["events"] for c in events[e].citations}
    assert all(is_agent(d["kind"]) and d["label"] for _, d in graph.nodes(data=True))
    assert "rekognition" not in graph and "ice-hsi" in graph
    assert graph.nodes["ice"]["label"] == "U.S. Immigration and Customs Enforcement"


def test_actor_event_graph_is_bipartite_with_roles_and_dates(view) -> None:
    graph = actor_event_graph(view)
    events = {n for n, d in graph.nodes(data=True) if d["bipartite"] == 1}
    actors = set(graph) - events
    assert events == {e.id for e in view.events}
    assert actors and all(is_agent(graph.nodes[a]["kind"]) for a in actors)
    assert nx.is_bipartite(graph)
    assert graph["ice"]["amazon-ice-meeting-2018-06"]["role"] == "target"
    meeting = graph.nodes["amazon-ice-meeting-2018-06"]
    assert meeting["kind"] == "event" and meeting["date_label"] == "June 2018"
    assert (meeting["start"], meeting["end"]) == ("2018-06-01", "2018-06-30")


def test_relation_graph_says_who_did_what_to_whom(view) -> None:
    graph = relation_graph(view)
    assert isinstance(graph, nx.MultiDiGraph)
    pitches = [d for _, to, d in graph.out_edges("amazon-web-services", data=True)
               if to == "ice" and d["event"] == "amazon-ice-meeting-2018-06"]
    assert pitches and pitches[0]["fromRole"] == "initiator" and pitches[0]["toRole"] == "target"
    assert pitches[0]["relation"] == "meeting/pitch" and pitches[0]["date_label"] == "June 2018"
    assert any(d["relation"] == "member of" for _, to, d in graph.out_edges("matthew-bourke", data=True) if to == "ice")
    assert graph.number_of_edges() == len(view.relations())


def test_centrality_is_deterministic_and_amazon_is_the_broker(view) -> None:
    table = centrality(coparticipation_graph(view))
    assert table == centrality(coparticipation_graph(view))
    assert [r["id"] for r in table[:3]] == ["amazon", "us-department-of-defense", "washington-county-sheriff"]
    amazon = table[0]
    assert amazon["label"] == "Amazon" and amazon["kind"] == "Company"
    assert amazon["degree"] == len(coparticipation_graph(view)["amazon"])
    keys = [(-r["betweenness"], -r["degree"], r["id"]) for r in table]
    assert keys == sorted(keys)
    # Works on the other projections too (directed multigraph: weights default to one per edge).
    # There the topic, face recognition, is the best bridge; Amazon still has the most relations.
    relations = centrality(relation_graph(view))
    assert [r["id"] for r in relations[:2]] == ["facial-recognition", "amazon"]
    assert max(relations, key=lambda r: r["degree"])["id"] == "amazon"


def test_components_and_ego_networks(view) -> None:
    graph = coparticipation_graph(view)
    parts = components(graph)
    assert sorted(n for p in parts for n in p) == sorted(graph)
    assert [len(p) for p in parts] == sorted((len(p) for p in parts), reverse=True)
    assert all(p == sorted(p) for p in parts)
    assert {"aclu", "amazon", "ice"} <= set(parts[0])
    near = ego(graph, "ice", 1)
    assert set(near) == {"ice"} | set(graph["ice"])
    assert near["amazon"]["ice"]["weight"] == graph["amazon"]["ice"]["weight"]
    assert set(ego(graph, "ice", 0)) == {"ice"}
    assert "aclu" in ego(graph, "ice", 2)
    assert "ice" in ego(relation_graph(view), "matthew-bourke", 1)
    with pytest.raises(TimelineError, match="not in the graph"):
        ego(graph, "nobody", 1)


@pytest.mark.parametrize("projection", [coparticipation_graph, actor_event_graph, relation_graph])
def test_graphml_and_gexf_round_trip_with_types_and_dates(view, tmp_path, projection) -> None:
    graph = projection(view)
    write_graphml(graph, tmp_path / "g.graphml")
    write_gexf(graph, tmp_path / "g.gexf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.gexf", "g.graphml"], "no temporary files left"
    graphml = nx.read_graphml(tmp_path / "g.graphml")
    gexf = nx.read_gexf(tmp_path / "g.gexf")
    for back in (graphml, gexf):
        assert back.number_of_nodes() == graph.number_of_nodes()
        assert back.number_of_edges() == graph.number_of_edges()
        assert set(back) == set(graph)
        assert back.is_directed() == graph.is_directed()
        assert back.nodes["ice"]["label"] == graph.nodes["ice"]["label"]
    raw = (tmp_path / "g.gexf").read_text(encoding="utf-8")
    assert 'mode="dynamic"' in raw and 'timeformat="date"' in raw
    assert gexf.graph["mode"] == "dynamic"
    for back in (graphml, gexf):
        dated = [d for *_, d in back.edges(data=True) if "start" in d]
        assert dated and all(len(d["start"]) == 10 and d["start"][4] == "-" for d in dated)
    if projection is coparticipation_graph:
        edge = graphml["amazon"]["ice"]
        assert isinstance(edge["weight"], int) and edge["weight"] == graph["amazon"]["ice"]["weight"]
        assert edge["events"].split("; ") == graph["amazon"]["ice"]["events"]
        assert (edge["start"], edge["end"]) == ("2018-06-01", "2018-10-23")
        assert gexf["amazon"]["ice"]["weight"] == graph["amazon"]["ice"]["weight"]  # GEXF weights are doubles
        assert isinstance(gexf.nodes["ice"]["event_count"], int)
        assert isinstance(graphml.nodes["ice"]["event_count"], int)
        assert gexf.nodes["ice"]["start"] == graph.nodes["ice"]["start"]
    if projection is actor_event_graph:
        meeting = graphml.nodes["amazon-ice-meeting-2018-06"]
        assert (meeting["start"], meeting["end"]) == ("2018-06-01", "2018-06-30")
        assert meeting["types"] == "meeting; pitch" and meeting["bipartite"] == 1
        assert gexf.nodes["amazon-ice-meeting-2018-06"]["end"] == "2018-06-30"
