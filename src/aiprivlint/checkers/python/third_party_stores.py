"""AIP304 personal-data-to-hosted-store. Docs live in rules/AIP304.toml.

How the check works: a flow rule on the dataflow engine, like AIP302. ``models/stores.py`` says
which clients talk to a hosted vector database or search / analytics service and which of their
calls write records (sink ``store.write``); ``models/data.py`` and ``models/web.py`` say what is
personal (fields named as personal data, request input). Sanitisers (Presidio, hashes, the
``redact*`` convention) clear the value, as everywhere. One finding per write, naming the fields.
"""

from __future__ import annotations

from ...findings import Severity
from ...flow.summary import Event
from ...models.kinds import PERSONAL
from ._ast_base import Summary
from ._flow_rule import Context, FlowRule

STORE_ROOTS = ("pinecone", "weaviate", "elasticsearch", "google.cloud.bigquery", "algoliasearch",
               "qdrant_client", "langchain_pinecone", "langchain_weaviate",
               "langchain_elasticsearch", "langchain_google_community", "langchain_qdrant",
               "langchain_community.vectorstores", "langchain.vectorstores",
               "llama_index.vector_stores")
KIND_RANK = {"request": 0, "record": 1, "field": 2}


class PersonalDataToHostedStore(FlowRule):
    rule_id = "AIP304"
    test_code = "skip"  # tests write fixtures to mocks or local stores
    needs = ("pinecone", "weaviate", "elasticsearch", "bigquery", "algoliasearch", "qdrant",
             "vectorstores", "vector_stores")
    sinks = frozenset({"store.write"})

    VALID = [
        "from pinecone import Pinecone\npc = Pinecone(api_key=KEY)\nindex = pc.Index('docs')\n"
        "index.upsert(vectors=[(d['id'], emb, {'title': d['title']})])",
        "from elasticsearch import Elasticsearch\nes = Elasticsearch('http://localhost:9200')\n"
        "es.index(index='users', document={'email': user['email']})",
        "from pinecone import Pinecone\nimport hashlib\npc = Pinecone(api_key=KEY)\nindex = pc.Index('docs')\n"
        "index.upsert(vectors=[(hashlib.sha256(u['email'].encode()).hexdigest(), emb)])",
    ]
    INVALID = [
        "from pinecone import Pinecone\npc = Pinecone(api_key=KEY)\nindex = pc.Index('people')\n"
        "index.upsert(vectors=[(u['id'], emb, {'email': u['email'], 'phone': u['phone']})])",
        "from elasticsearch import Elasticsearch\nes = Elasticsearch(cloud_id=CID, api_key=K)\n"
        "es.index(index='users', document={'email': user['email']})",
        "from google.cloud import bigquery\nclient = bigquery.Client()\n"
        "client.insert_rows_json('p.d.t', [{'ssn': rec['ssn']}])",
        "from langchain_pinecone import PineconeVectorStore\n"
        "store = PineconeVectorStore.from_texts([c['email'] for c in customers], emb, index_name='x')",
    ]

    @classmethod
    def gate(cls, summary: Summary) -> bool:
        """A module takes part when it imports a store client, or reads fields (a helper that
        builds the records): the second is checked per project in phase 2, as AIP302's."""
        return summary.import_prefix(*STORE_ROOTS)

    def __init__(self) -> None:
        self.seen: set = set()

    def judge(self, ev: Event, ctx: Context) -> None:
        info = ev.info
        fields = sorted((lb for lb in ev.value.labels if lb.kind == PERSONAL),
                        key=lambda lb: (not lb.data[2], KIND_RANK.get(lb.data[3], 3), lb.tag,
                                        lb.origin))
        if not fields:
            return
        rel, pos, context = ev.module, ev.pos, ev.context
        if ev.call is not None:
            rel = info.get("caller", rel)
            pos, context = ev.call, ev.call_context
        key = (rel, pos.line, pos.col)
        if key in self.seen:
            return
        self.seen.add(key)
        names: list[str] = []
        for lb in fields:
            if lb.tag not in names:
                names.append(lb.tag)
        first = fields[0]
        category, reason, special, source = first.data
        where = first.origin if source == "request" or not first.line else \
            f"{first.origin} (line {first.line})"
        shown = ", ".join(repr(n) for n in names[:5]) + (" and more" if len(names) > 5 else "")
        via = f" through {ev.via[0][0]}()" if ev.via else ""
        message = (f"Personal data is written to {info['provider']} by {info['api']}(){via}: "
                   f"field{'s' if len(names) > 1 else ''} {shown} ({reason}), read from {where}. "
                   "The hosted index keeps it outside your systems, searchable and in every backup; "
                   "store a pseudonymous key (keyed hash) and keep the personal fields in your own "
                   "database, or redact them first")
        from ...pii.fields import CATEGORIES

        specials = any(lb.data[2] for lb in fields)
        details = {"provider": info["provider"], "api": info["api"], "fields": names[:10],
                   "categories": sorted({CATEGORIES.get(lb.data[0], lb.data[0]) for lb in fields}),
                   "special_category": specials, "source": source}
        ctx.report(self.rule_id, rel, pos, context, message, details,
                   Severity.CRITICAL if specials else None)
