"""Croissant (MLCommons) dataset metadata: JSON-LD, with the Responsible-AI (RAI) vocabulary.

A JSON file is a Croissant description when its ``@context`` (or ``conformsTo``) names the
Croissant vocabulary (``mlcommons.org/croissant``) or when it is a schema.org ``Dataset`` with a
``recordSet``. Only files whose first bytes mention one of these are parsed, so large JSON data
files are never loaded here.

The privacy review reads: ``license``; ``rai:personalSensitiveInformation`` (whether personal or
sensitive data is present, and which); ``rai:dataCollection`` / ``rai:dataCollectionType`` (how it
was collected; consent or legal basis may be written there); ``rai:dataPreprocessingProtocol`` /
``rai:dataManipulationProtocol`` (anonymisation); ``rai:dataReleaseMaintenancePlan`` (retention,
maintenance, deprecation). A key is also recognised under its full IRI
(``http://mlcommons.org/croissant/RAI/dataCollection``) or with another prefix.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .analysis import CONSENT, HANDLING, NONE_ANSWER, SAYS_NONE, CardInfo, Gap
from .markdown import PLACEHOLDER

SNIFF = re.compile(r"mlcommons\.org/croissant|\"recordSet\"|croissant", re.I)
RAI = "http://mlcommons.org/croissant/RAI/"


def looks_like_croissant(head: str) -> bool:
    """Cheap test on the first bytes of a JSON file."""
    return bool(SNIFF.search(head)) and "@context" in head


def _dataset_node(doc: Any) -> dict | None:
    if isinstance(doc, list):
        doc = next((d for d in doc if isinstance(d, dict)), None)
    if not isinstance(doc, dict):
        return None
    if "@graph" in doc and isinstance(doc["@graph"], list):
        for node in doc["@graph"]:
            if isinstance(node, dict) and "Dataset" in str(node.get("@type", "")):
                return node
    ctx = json.dumps(doc.get("@context", ""))
    conforms = str(doc.get("conformsTo", doc.get("dct:conformsTo", "")))
    if "croissant" in ctx.lower() or "croissant" in conforms.lower() or "recordSet" in doc:
        return doc
    return None


def _get(node: dict, name: str) -> tuple[str | None, Any]:
    """(key as written, value) for a property written as ``rai:name``, ``name`` or an IRI."""
    for key in node:
        local = key.rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1]
        if local == name:
            return key, node[key]
    return None, None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    if isinstance(value, dict):
        for k in ("@value", "name", "description", "url", "@id"):
            if k in value:
                return _text(value[k])
        return " ".join(_text(v) for v in value.values())
    return str(value)


def _filled(value: Any) -> bool:
    text = _text(value).strip()
    if not text:
        return False
    cleaned = PLACEHOLDER.sub("", text).strip(" .:-")
    return bool(cleaned)


def _line_of(text: str, key: str | None, default: int) -> int:
    if not key:
        return default
    m = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, m.start()) + 1 if m else default


def analyse_croissant(text: str) -> CardInfo | None:
    """The privacy gaps of a Croissant description, or None when the JSON is not one."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    node = _dataset_node(doc)
    if node is None:
        return None
    m = re.search(r'"@type"\s*:\s*\[?\s*"[^"]*Dataset"', text)
    anchor = text.count("\n", 0, m.start()) + 1 if m else 1
    info = CardInfo(kind="dataset", format="croissant", line=anchor,
                    title=_text(node.get("name", ""))[:120])
    key, value = _get(node, "license")
    if _filled(value):
        info.license = _text(value)[:120]
    else:
        info.gaps.append(Gap("license", _line_of(text, key, anchor),
                             "the Croissant metadata names no `license`", placeholder=key is not None))
    pkey, pvalue = _get(node, "personalSensitiveInformation")
    ptext = _text(pvalue).strip()
    if _filled(pvalue):
        if NONE_ANSWER.match(ptext) or SAYS_NONE.search(ptext):
            info.says_no_personal_data = True
            info.no_personal_line = _line_of(text, pkey, anchor)
        else:
            info.states_personal_data = True
            info.personal_line = _line_of(text, pkey, anchor)
            handling = " ".join(_text(_get(node, k)[1]) for k in (
                "dataPreprocessingProtocol", "dataManipulationProtocol", "dataCollection"))
            if not HANDLING.search(ptext + " " + handling):
                info.gaps.append(Gap(
                    "anonymisation", info.personal_line,
                    "`rai:personalSensitiveInformation` lists personal data but no RAI field says "
                    "how it was anonymised or removed (`rai:dataPreprocessingProtocol`)"))
    else:
        info.gaps.append(Gap("personal-data", _line_of(text, pkey, anchor),
                             "no `rai:personalSensitiveInformation`: say whether the data holds "
                             "personal or sensitive information, and how it was anonymised",
                             placeholder=pkey is not None))
    ckey, cvalue = _get(node, "dataCollection")
    tkey, tvalue = _get(node, "dataCollectionType")
    if not (_filled(cvalue) or _filled(tvalue)):
        info.gaps.append(Gap("collection", _line_of(text, ckey or tkey, anchor),
                             "no `rai:dataCollection`: say how the data was collected, and with "
                             "what consent or legal basis", placeholder=(ckey or tkey) is not None))
    elif not info.says_no_personal_data:
        everything = " ".join(_text(v) for k, v in node.items()
                              if k.startswith("rai:") or k.startswith(RAI)
                              or k in ("description", "license"))
        if not CONSENT.search(everything):
            info.gaps.append(Gap("consent", _line_of(text, ckey or tkey, anchor),
                                 "`rai:dataCollection` does not say with what consent or legal "
                                 "basis the data was collected"))
    mkey, mvalue = _get(node, "dataReleaseMaintenancePlan")
    if mkey is None:
        mkey, mvalue = _get(node, "dataReleaseMaintenance")
    if not _filled(mvalue):
        info.gaps.append(Gap("maintenance", _line_of(text, mkey, anchor),
                             "no `rai:dataReleaseMaintenancePlan`: say how long the data is kept, "
                             "who maintains it and how removal requests are handled",
                             placeholder=mkey is not None))
    return info
