"""Names found by a trained spaCy pipeline that the user has installed (``timeline draft --model NAME``).

Optional: spaCy comes with ``pip install 'timeline[nlp]'``, and is imported only when a model is
loaded. Trained pipelines are not installed with it and nothing is downloaded here: the user installs
one (``python -m spacy download en_core_web_sm``, on a machine with network) or saves one
(``nlp.to_disk(DIR)``) and names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from timeline.errors import TimelineError

if TYPE_CHECKING:
    from spacy.language import Language

#: spaCy's entity labels (OntoNotes) -> the case's entity types; a label not listed (NORP, DATE,
#: MONEY, ...) names nothing the case records. An ORG's kind is refined by cue words where it is drafted.
LABEL_TYPES = {"PERSON": "person", "ORG": "group", "GPE": "place", "LOC": "place", "FAC": "place",
               "PRODUCT": "product"}
#: Components that set ``doc.ents``, by the factory that made them.
NAME_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler"})
#: ``nlp.meta`` key: the name the pipeline was loaded by, for the evidence notes.
_LOADED_AS = "timeline_loaded_as"


@dataclass(frozen=True)
class ModelName:
    """A name the model found at ``text[start:end]``, with its spaCy ``label`` and the case's ``type``."""

    start: int
    end: int
    text: str
    type: str
    label: str


def load_model(name: str) -> Language:
    """The spaCy pipeline ``name``: an installed pipeline package (``en_core_web_sm``) or the directory
    of a saved one. It must find names (a ``ner`` or ``entity_ruler`` component).

    Raises :class:`TimelineError` (``param="model"``) when spaCy is not installed, the pipeline is not
    found or cannot be read, or it finds no names.
    """
    said = f"model={name!r}"
    try:
        import spacy  # here: heavy, optional, and only a model needs it
    except ImportError:
        raise TimelineError(f"{said} needs spaCy, which is not installed: pip install 'timeline[nlp]'",
                            param="model", said=said, value=name) from None
    try:
        nlp = spacy.load(name)
    except (OSError, ValueError, ImportError) as exc:
        if not Path(name).exists():
            raise TimelineError(
                f"{said}: no spaCy pipeline of that name is installed and there is no such directory; trained "
                "pipelines are installed by you (e.g. `python -m spacy download en_core_web_sm` on a machine with "
                "network), or give the directory of a pipeline saved with nlp.to_disk()",
                param="model", said=said, value=name) from None
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TimelineError(f"{said}: not a spaCy pipeline spaCy {spacy.__version__} can load ({reason})",
                            param="model", said=said, value=name) from None
    factories = {nlp.get_pipe_meta(pipe).factory for pipe in nlp.pipe_names}
    if not factories & NAME_FACTORIES:
        components = ", ".join(nlp.pipe_names) or "none"
        raise TimelineError(f"{said}: the pipeline has no 'ner' or 'entity_ruler' component, so it finds no names "
                            f"(its components: {components})", param="model", said=said, value=name)
    nlp.meta[_LOADED_AS] = name
    return nlp


def model_label(nlp: Language) -> str:
    """What to call the pipeline in evidence: the name it was loaded by, else its package name."""
    meta = nlp.meta
    return str(meta.get(_LOADED_AS) or f"{meta.get('lang', '')}_{meta.get('name', '')}".strip("_"))


def model_names(nlp: Language, text: str) -> list[ModelName]:
    """The names ``nlp`` finds in ``text``, in order, of the labels in :data:`LABEL_TYPES`."""
    if len(text) > nlp.max_length:
        said = f"model {model_label(nlp)!r}"
        raise TimelineError(f"the article has {len(text)} characters, more than the {nlp.max_length} that {said} "
                            "reads", param="model", said=said, value=model_label(nlp))
    return [ModelName(ent.start_char, ent.end_char, ent.text, LABEL_TYPES[ent.label_], ent.label_)
            for ent in nlp(text).ents if ent.label_ in LABEL_TYPES]
