"""CVs and job postings from outside → validated, pseudonymised, scrubbed, ESCO-linked records.

The rest of jobmatch calls:

* :func:`cv_record_from` / :func:`posting_record_from` for one parsed document (our JSON, JSON
  Resume, schema.org JobPosting; the format is detected per document);
* :func:`read_documents` + :func:`ingest_cvs` / :func:`ingest_postings` for bulk files;
* :func:`extractor_for` to get the spaCy extractor over the store's taxonomy;
* :func:`schema` for the published JSON Schemas (``loaders/schemas``).

Privacy (pseudonyms, scrubbing, protected attributes) lives in :mod:`loaders.privacy`. The input
formats and the decisions behind them are described in docs/INPUT_FORMATS.md.
"""

from loaders.documents.bulk import RawDocument, read_documents
from loaders.documents.cv_formats import cv_format, read_cv
from loaders.documents.cvs import cv_record_from
from loaders.documents.ingest import BATCH_SIZE, IngestReport, Rejection, ingest_cvs, ingest_postings
from loaders.documents.posting_formats import posting_format, read_posting
from loaders.documents.postings import DEFAULT_VALIDITY_DAYS, posting_record_from
from loaders.documents.text_port import TextExtractor, extractor_for
from loaders.documents.title_links import TITLE_LINK_MIN_SCORE
from loaders.documents.validation import SCHEMA_NAMES, schema, validate

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_VALIDITY_DAYS",
    "SCHEMA_NAMES",
    "TITLE_LINK_MIN_SCORE",
    "IngestReport",
    "RawDocument",
    "Rejection",
    "TextExtractor",
    "cv_format",
    "cv_record_from",
    "extractor_for",
    "ingest_cvs",
    "ingest_postings",
    "posting_format",
    "posting_record_from",
    "read_cv",
    "read_documents",
    "read_posting",
    "schema",
    "validate",
]
