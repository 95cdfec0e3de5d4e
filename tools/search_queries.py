"""The book's search test set: queries and the chapter each must find.

Shared by the browser tests (``tests/test_browser.py``), which require every hit, and
by ``tools/compare_search.py``, which measures the book's search against Pagefind on
the same queries.
"""

from __future__ import annotations

# (query, the chapter that must be among the first three results): topics, product
# names, multi-word queries and American spellings of the book's British ones.
TOP_THREE = [
    ("quantization", "model-formats"),
    ("quantisation", "model-formats"),
    ("license", "licences"),
    ("licence", "licences"),
    ("LoRA", "fine-tuning"),
    ("abliteration", "unaligned-models"),
    ("PagedAttention", "mlops-engines"),
    ("llama 4", "models"),
    ("RAG", "vector-db"),
    ("Apache 2.0", "licences"),
    ("GGUF", "model-formats"),
    ("vLLM", "mlops-engines"),
    ("HNSW", "vector-db"),
    ("MCP", "sdk"),
    ("Ollama", "desktop-apps"),
    ("GPQA", "eval-datasets"),
    ("HBM", "hardware"),
    ("jailbreak", "unaligned-models"),
    ("EU AI Act", "licences"),
    ("GRPO", "fine-tuning"),
    ("embedding model", "vector-db"),
    ("LM Studio", "desktop-apps"),
    ("tokenizer", "models"),
    ("optimization", "fine-tuning"),
    ("behavior", "unaligned-models"),
    ("SWE-bench", "eval-datasets"),
    ("NVFP4", "model-formats"),
    ("guard model", "unaligned-models"),
]

# (American spelling, British spelling, the chapter both must find): the book writes
# British English and readers often type American.
SPELLINGS = [
    ("quantization", "quantisation", "model-formats"),
    ("license", "licence", "licences"),
    ("behavior", "behaviour", "unaligned-models"),
    ("optimization", "optimisation", "fine-tuning"),
]
