"""Optional rephrasing of generated statements by an OpenAI-compatible chat endpoint.

Off unless PROFILE_LLM_URL is set. The grounded generator never depends on
it: any timeout, error or unusable answer leaves the grounded text as it is,
and a rephrasing is kept only if it passes the same grounding check.
"""

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence

logger = logging.getLogger(__name__)

MAX_PHRASE_LENGTH = 200
INSTRUCTIONS = (
    "You rewrite short descriptions of a reader's taste so they read naturally. "
    "Keep every specific topic word; do not add topics, titles or opinions; do not "
    "negate anything; at most 15 words each. Answer with a JSON array of strings, "
    "one per input, in the same order, and nothing else."
)


def rephrase(
    phrases: Sequence[str], *, url: str, model: str, api_key: str = "", timeout: float = 10.0
) -> list[str | None]:
    """One rephrasing per phrase, or None where the endpoint gave nothing usable."""
    if not phrases:
        return []
    body = json.dumps(
        {
            "model": model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": INSTRUCTIONS},
                {"role": "user", "content": json.dumps(list(phrases), ensure_ascii=False)},
            ],
        }
    ).encode()
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
        content = answer["choices"][0]["message"]["content"]
        rewritten = json.loads(content)
    except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as exc:
        logger.warning(
            "profile LLM at %s gave no usable answer (%s); keeping grounded text", url, exc
        )
        return [None] * len(phrases)
    if not isinstance(rewritten, list) or len(rewritten) != len(phrases):
        logger.warning("profile LLM answered %r, not one string per phrase", content[:200])
        return [None] * len(phrases)
    return [
        " ".join(text.split())
        if isinstance(text, str) and 0 < len(text) <= MAX_PHRASE_LENGTH
        else None
        for text in rewritten
    ]
