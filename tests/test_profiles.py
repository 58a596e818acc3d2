"""Entity resolution, entity profiles and case statistics on the sample case."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pytest

from timeline.errors import TimelineError
from timeline.views.model import EntityView, resolve_entity
from timeline.views.profiles import entity_profile, stats


@pytest.mark.parametrize("name", ["ice", "ICE", "U.S. Immigration and Customs Enforcement",
                                  "  immigration and customs   enforcement ", "Ice"])
def test_resolve_by_id_label_or_alias_in_any_case(view, name) -> None:
    assert resolve_entity(view, name).id == "ice"


def test_resolve_ignores_curly_apostrophes(view) -> None:
    assert resolve_entity(view, "washington county sheriff’s office").id == "washington-county-sheriff"


def test_resolve_suggests_close_names(view) -> None:
    with pytest.raises(TimelineError, match=r"no entity named 'amazn' \(did you mean 'amazon'"):
        resolve_entity(view, "amazn")
    with pytest.raises(TimelineError, match="did you mean 'Bezos'"):
        resolve_entity(view, "BEZOZ")
    with pytest.raises(TimelineError, match="^no entity named 'zzzz'$"):
        resolve_entity(view, "zzzz")


def test_resolve_lists_the_candidates_of_an_ambiguous_name(view) -> None:
    entities = dict(view.entities)
    entities["amazon-web-services"] = dataclasses.replace(entities["amazon-web-services"],
                                                          aliases=["AWS", "Amazon.com"])
    twins = dataclasses.replace(view, entities=entities)
    with pytest.raises(TimelineError, match="ambiguous") as err:
        resolve_entity(twins, "amazon.com")
    assert "'amazon' (Amazon)" in str(err.value) and "'amazon-web-services' (Amazon Web Services)" in str(err.value)
    # An id is never ambiguous, and a label beats an alias.
    entities["decoy"] = EntityView("decoy", "Decoy", "Company", "company", aliases=["ice", "Amazon Web Services"])
    assert resolve_entity(twins, "ice").id == "ice"
    assert resolve_entity(twins, "Amazon Web Services").id == "amazon-web-services"


def test_claims_know_on_whose_behalf_they_were_made(view) -> None:
    claim = view.claims["ice-no-current-contract"]
    assert (claim.claimant, claim.on_behalf_of) == ("matthew-bourke", "ice")
    assert view.claims["mashable-amazon-courted-ice"].on_behalf_of == ""


def test_ice_profile(view) -> None:
    profile = entity_profile(view, "ICE")
    assert json.loads(json.dumps(profile)) == profile
    assert json.dumps(entity_profile(view, "ice")) == json.dumps(profile), "deterministic"
    assert (profile["id"], profile["kind"]) == ("ice", "GovernmentAgency")
    assert profile["aliases"] == ["ICE", "Immigration and Customs Enforcement"]
    assert profile["wikidata"] is None and profile["wikidata_url"] is None
    assert {"id": "matthew-bourke", "label": "Matthew Bourke"} in profile["members"]

    events = {e["id"]: e for e in profile["events"]}
    meeting = events["amazon-ice-meeting-2018-06"]
    assert meeting["roles"] == ["target"] and meeting["date"] == "June 2018" and meeting["edtf"] == "2018-06"
    assert [e["sort"] for e in profile["events"]] == sorted(e["sort"] for e in profile["events"])
    assert set(events) == {e.id for e in view.events if any(p.id == "ice" for p in e.participants)}

    made = {c["id"]: c for c in profile["claims_made"]}
    assert made["ice-no-current-contract"]["claimant"] == "matthew-bourke"
    assert made["ice-no-current-contract"]["on_behalf_of"] == "ice"
    assert made["ice-no-current-contract"]["stance"] == "denies"
    about = {c["id"] for c in profile["claims_about"]}
    assert {"guliani-ice-should-not", "newscomau-ice-believed-user", "ice-no-current-contract"} <= about
    assert "bezos-let-them-in" not in about  # about the migrants, not ICE

    incoming = profile["relations"]["in"]
    assert {"entity": "amazon-web-services", "event": "amazon-ice-meeting-2018-06", "role": "target",
            "other_role": "initiator"}.items() <= next(
        r for r in incoming if r["entity"] == "amazon-web-services" and r["event"] == "amazon-ice-meeting-2018-06"
    ).items()
    assert any(r["entity"] == "matthew-bourke" and r["relation"] == "member of" for r in incoming)
    assert any(r["entity"] == "bloomberg" for r in profile["relations"]["out"])

    sources = [s["id"] for s in profile["sources"]]
    assert "bloomberg-2018-10-23" in sources and sources == sorted(sources)
    bloomberg = next(s for s in profile["sources"] if s["id"] == "bloomberg-2018-10-23")
    assert bloomberg["title"] == view.sources["bloomberg-2018-10-23"].title


def test_profile_links_wikidata_and_membership(view) -> None:
    amazon = entity_profile(view, "Amazon.com Inc.")
    assert amazon["id"] == "amazon"
    assert amazon["wikidata"] == "Q3884" and amazon["wikidata_url"] == "https://www.wikidata.org/wiki/Q3884"
    assert {"id": "jeff-bezos", "label": "Jeff Bezos"} in amazon["members"]
    bezos = entity_profile(view, "bezos")
    assert bezos["member_of"] == [{"id": "amazon", "label": "Amazon"}]
    # A claim on Amazon's behalf counts as Amazon's.
    assert "bezos-support-defense-department" in {c["id"] for c in amazon["claims_made"]}
    with pytest.raises(TimelineError, match="did you mean"):
        entity_profile(view, "amazn")


def test_stats_add_up(view) -> None:
    result = stats(view)
    assert json.loads(json.dumps(result)) == result and stats(view) == result
    totals = result["totals"]
    assert totals["events"] == len(view.events) and totals["claims"] == len(view.claims)
    assert totals["entities"] == len(view.entities) and totals["sources"] == len(view.sources)
    assert sum(result["entities_by_kind"].values()) == len(view.entities)
    assert result["entities_by_kind"]["Company"] == sum(e.kind == "Company" for e in view.entities.values())
    assert result["events_by_type"] == dict(sorted(Counter(t for e in view.events for t in e.types).items()))
    assert sum(result["events_per_year"].values()) == len(view.events)
    assert list(result["events_per_year"]) == sorted(result["events_per_year"])
    assert result["events_per_year"]["2018"] == sum(e.sort.startswith("2018") for e in view.events)
    histogram = result["sources_per_event"]
    assert sum(histogram.values()) == len(view.events)
    assert histogram["3+"] == sum(len(e.sources) >= 3 for e in view.events)
    bloomberg = result["sources"]["bloomberg-2018-10-23"]
    assert bloomberg["events"] == sum("bloomberg-2018-10-23" in e.sources for e in view.events)
    assert bloomberg["claims"] == sum(any(c.source == "bloomberg-2018-10-23" for c in claim.citations)
                                      for claim in view.claims.values())
    assert sum(s["citations"] for s in result["sources"].values()) == totals["citations"]
    central = result["central_actors"]
    assert len(central) == 10 and central[0]["id"] == "amazon"
    assert {"id", "label", "kind", "degree", "weighted_degree", "betweenness"} <= set(central[0])
