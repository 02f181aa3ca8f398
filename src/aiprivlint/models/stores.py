"""Hosted vector databases and search / analytics services: which clients talk to one, and which of
their calls write records there (sink ``store.write``, judged by AIP304).

* **Clients**: ``Pinecone()``, Weaviate Cloud (``weaviate.connect_to_weaviate_cloud``, a
  ``weaviate.Client`` whose URL is not local), ``Elasticsearch(...)`` (``cloud_id=`` or a URL that
  is not local), BigQuery's ``bigquery.Client()``, Algolia's search clients, Qdrant Cloud
  (``QdrantClient(url=...)`` not local, or ``api_key=``). Every object reached from a client
  (``pc.Index("docs")``, ``client.collections.get("Article")``, ``coll.batch.dynamic()``) is one
  of the same service.
* **Writes**: ``upsert``, ``index``, ``bulk``, ``create``/``update`` of documents,
  ``insert``/``insert_many``, ``add_object``, ``insert_rows(_json)``, ``load_table_from_*``,
  ``save_object(s)``/``add_objects``/``partial_update_object(s)``; ``elasticsearch.helpers.bulk``.
* **LangChain vector stores** of hosted services: ``from_texts``/``from_documents`` of their
  classes, and ``add_texts``/``add_documents`` of their instances.

A client pointed at ``localhost`` (a container of your own) is no third party.
"""

from __future__ import annotations

import re

from ..flow.model import CallSite, Model, Outcome, Use
from ..flow.values import CLEAN, Val, obj

LOCAL_URL_RE = re.compile(r"(?i)localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|host\.docker\.internal")
PINECONE, WEAVIATE, ELASTIC = "Pinecone", "Weaviate Cloud", "Elasticsearch"
BIGQUERY, ALGOLIA, QDRANT = "Google BigQuery", "Algolia", "Qdrant Cloud"

# constructor -> (provider, keyword arguments that hold its URL; None: always hosted)
CLIENTS = {
    **dict.fromkeys(("pinecone.Pinecone", "pinecone.PineconeAsyncio", "pinecone.grpc.PineconeGRPC",
                     "pinecone.Index"), (PINECONE, None)),
    **dict.fromkeys(("weaviate.connect_to_weaviate_cloud", "weaviate.connect_to_wcs",
                     "weaviate.use_async_with_weaviate_cloud"), (WEAVIATE, None)),
    **dict.fromkeys(("weaviate.Client", "weaviate.WeaviateClient"), (WEAVIATE, ("url", 0))),
    **dict.fromkeys(("elasticsearch.Elasticsearch", "elasticsearch.AsyncElasticsearch"),
                    (ELASTIC, ("hosts", 0))),
    **dict.fromkeys(("google.cloud.bigquery.Client",), (BIGQUERY, None)),
    **dict.fromkeys(("algoliasearch.search_client.SearchClient.create",
                     "algoliasearch.search.client.SearchClient",
                     "algoliasearch.search.client.SearchClientSync"), (ALGOLIA, None)),
    **dict.fromkeys(("qdrant_client.QdrantClient", "qdrant_client.AsyncQdrantClient"),
                    (QDRANT, ("url", 0))),
}
WRITE_METHODS = frozenset({
    "upsert", "upsert_records", "index", "bulk", "create", "update", "insert", "insert_many",
    "add_object", "add_objects", "insert_rows", "insert_rows_json", "load_table_from_dataframe",
    "load_table_from_json", "save_object", "save_objects", "partial_update_object",
    "partial_update_objects", "replace_all_objects", "upload_points", "upload_collection",
    "add_texts", "add_documents", "aadd_texts", "aadd_documents",
})
# arguments that carry no record: options, and the embedding model. Ids, namespaces and index or
# table names are content: the service stores them and shows them to whoever reads the index
# (``namespace=patient_email`` files a person's documents under their address)
NON_CONTENT_KWARGS = frozenset({"job_config", "refresh", "timeout", "batch_size", "embedding",
                                "embeddings", "vector", "vectors_config", "pipeline", "op_type",
                                "consistency"})
HELPERS = frozenset({"elasticsearch.helpers.bulk", "elasticsearch.helpers.streaming_bulk",
                     "elasticsearch.helpers.parallel_bulk", "elasticsearch.helpers.async_bulk"})
# LangChain / LlamaIndex vector stores of hosted services: class name -> provider
LC_STORES = {
    "PineconeVectorStore": PINECONE, "Pinecone": PINECONE,
    "WeaviateVectorStore": WEAVIATE, "Weaviate": WEAVIATE,
    "ElasticsearchStore": ELASTIC, "ElasticVectorSearch": ELASTIC, "ElasticsearchVectorStore": ELASTIC,
    "BigQueryVectorSearch": BIGQUERY, "BigQueryVectorStore": BIGQUERY,
    "AlgoliaVectorStore": ALGOLIA, "QdrantVectorStore": QDRANT, "Qdrant": QDRANT,
}
LC_STORE_ROOTS = ("langchain_pinecone.", "langchain_weaviate.", "langchain_elasticsearch.",
                  "langchain_google_community.", "langchain_qdrant.", "langchain_community.vectorstores.",
                  "langchain.vectorstores.", "llama_index.vector_stores.")
LC_BUILDERS = frozenset({"from_texts", "from_documents", "afrom_texts", "afrom_documents"})


def _local(site: CallSite, where: tuple[str, int] | None) -> bool:
    if where is None:
        return False
    if "cloud_id" in site.kwargs or "api_key" in site.kwargs:
        return False
    url = site.text(where[0], where[1])
    return url is not None and bool(LOCAL_URL_RE.search(url))


def client(site: CallSite) -> Val:
    provider, where = CLIENTS[site.q or ""]
    if _local(site, where):
        return Val(obj=obj("store.client", provider="", local=True))
    return Val(obj=obj("store.client", provider=provider, local=False))


def write(site: CallSite, provider: str, api: str) -> Outcome:
    content = site.content(skip_kwargs=NON_CONTENT_KWARGS)
    return Outcome(CLEAN, [Use("store.write", {"provider": provider, "api": api}, content)])


def client_method(site: CallSite) -> Outcome | Val:
    o = site.recv.obj
    if o.get("local"):
        return Val(obj=o)
    if site.name in WRITE_METHODS:
        return write(site, o.get("provider"), ".".join((*o.path, site.name)))
    return Val(obj=obj("store.client", provider=o.get("provider"), local=False))


def helper_bulk(site: CallSite) -> Outcome | None:
    es = site.arg("client", 0)
    if es is not None and es.obj is not None and es.obj.type == "store.client" and es.obj.get("local"):
        return None
    actions = site.arg("actions", 1)
    if actions is None:
        return None
    return Outcome(CLEAN, [Use("store.write", {"provider": ELASTIC, "api": site.q.rsplit(".", 1)[-1]},
                               Val(actions.labels) if actions.labels else site.content(skip_pos=1))])


def lc_store(site: CallSite) -> Outcome | Val | None:
    q = site.q or ""
    parts = q.split(".")
    last = parts[-1]
    if last in LC_BUILDERS and len(parts) >= 2 and parts[-2] in LC_STORES:
        provider = LC_STORES[parts[-2]]
        return Outcome(Val(obj=obj("store.client", provider=provider, local=False)),
                       [Use("store.write", {"provider": provider, "api": f"{parts[-2]}.{last}"},
                            site.content(skip_kwargs=NON_CONTENT_KWARGS))])
    if last in LC_STORES:
        return Val(obj=obj("store.client", provider=LC_STORES[last], local=False))
    return None


MODEL = Model(
    "stores",
    calls={**{q: client for q in CLIENTS}, **{q: helper_bulk for q in HELPERS}},
    prefixes=[(p, lc_store) for p in LC_STORE_ROOTS],
    methods={"store.client": {"*": client_method}},
)
