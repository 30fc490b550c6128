"""Writing profiles from ratings: the glue between the database and the generator."""

import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from catalog.models import Item
from engine import catalog_statistics, grounding, llm
from engine import profile_generation as generation
from engine.catalog_labels import CatalogLabels, catalog_version, labels_compute
from engine.encoder import get_encoder
from engine.retrieval import item_vectors, nearest_items
from profiles.models import Interaction, Profile, ProfileRevision, Statement
from profiles.parser import parse_statement
from profiles.selectors import PROFILE_GENERATION_LOCK_SPACE
from profiles.services import StatementDraft, profile_drafts, profile_generation_save

# A statement is kept only if its own embedding finds at least this share of
# its evidence among the catalog items nearest to it.
MIN_GROUNDING = 0.4
# How far down the catalog the evidence may sit: the top 3%, at least 10
# (about 290 on ml-latest-small; on a 150-item catalog, the top 10).
GROUNDING_DEPTH_SHARE = 0.03
MIN_GROUNDING_DEPTH = 10
GROUNDING_EXACT_MAX_ITEMS = 50_000
# Above that, where an evidence item sits is read from a fixed sample of the
# catalog this size (every n-th item id): at 1,000,000 items, fetching the
# nearest 3% (30,000 rows) for each phrase took 46 s a "write it again".
GROUNDING_SAMPLE = 10_000
# Regenerate after this many new interactions (or on demand).
REGENERATE_AFTER = 5
SIGNAL_KINDS = ["rating", "like", "dislike", "not_interested"]
# _catalog_labels, per process: (the catalog's version, the labels).
_label_cache: dict[str, tuple[tuple, CatalogLabels]] = {}


@dataclass(frozen=True)
class GenerationResult:
    revision: ProfileRevision | None  # None: nothing changed (or edits kept racing)
    statements: int
    dropped: int  # lines whose best words still retrieve little of their group
    seconds: float


def catalog_label_counts() -> tuple[dict[str, int], int]:
    """How many active items carry each label (casefolded), and how many there are."""
    labels = _catalog_labels()
    return labels.counts, labels.items


def _catalog_labels() -> CatalogLabels:
    """The label counts, the catalog's size, the tags that say nothing
    about taste and the label words its descriptions write as names.

    The worker stores them with the catalog statistics (engine.catalog_labels):
    one index read asks for the newest row, which is read when it changed.
    While no row holds them, they are computed here, cached until the
    catalog changes (one aggregate: engine.catalog_labels.catalog_version,
    read before the labels, so a change committed in between is read again
    on the next call, never missed). A cache that expired only with time gave
    one catalog's counts to another for minutes: a relabelled item, or
    another database (each test builds its own).
    """
    # From the database the counts are read from (a replica, when there is one).
    database = connections[Item.objects.db].settings_dict["NAME"]
    stored_id = catalog_statistics.latest_statistics_id()
    cached = _label_cache.get("labels")
    if stored_id is not None:
        version: tuple = (database, "stored", stored_id)
        if cached and cached[0] == version:
            return cached[1]
        stored = catalog_statistics.stored_labels(stored_id)
        if stored:
            value = CatalogLabels.from_json(stored)
            _label_cache["labels"] = (version, value)
            return value
    version = (database, *catalog_version())
    if cached and cached[0] == version:
        return cached[1]
    value = labels_compute()
    _label_cache["labels"] = (version, value)
    return value


def user_signals(user_id: int) -> list[generation.Signal]:
    rows = (
        Interaction.objects.filter(user_id=user_id, kind__in=SIGNAL_KINDS)
        .exclude(item__embedding=None)
        # The same ratings must give the same profile: clustering starts from
        # positions in this list, and without an order PostgreSQL returns the
        # rows as the plan and the tables' physical layout happen to give them
        # (which earlier writes, deletes and VACUUMs change).
        .order_by("timestamp", "item_id", "id")
        .values_list(
            "kind",
            "value",
            "timestamp",
            "item_id",
            "item__title",
            "item__categories",
            "item__tags",
            "item__embedding",
        )
    )
    return [
        generation.Signal(
            item=generation.RatedItem(
                item_id=item_id,
                title=title,
                categories=tuple(categories),
                tags=tuple(tags),
                vector=np.asarray(vector, dtype=np.float32),
            ),
            kind=kind,
            value=value,
            timestamp=timestamp,
        )
        for kind, value, timestamp, item_id, title, categories, tags, vector in rows
    ]


def _grounding_scores(pairs: list[tuple[generation.GeneratedStatement, str]]) -> list[float]:
    """How well each phrase's embedding retrieves its statement's evidence."""
    if not pairs:
        return []
    count = Item.objects.count()
    depth = max(MIN_GROUNDING_DEPTH, int(GROUNDING_DEPTH_SHARE * count))
    vectors = get_encoder().encode([phrase for _, phrase in pairs])
    if count > GROUNDING_EXACT_MAX_ITEMS:
        return _sampled_grounding_scores(pairs, vectors, share=depth / count)
    # Whether a phrase is kept must not depend on the approximate index's
    # state: the same ratings give the same profile. Exact up to catalogs
    # where comparing with every item stays a few milliseconds a phrase.
    return [
        grounding.grounding_score(
            statement.evidence,
            [scored.item.pk for scored in nearest_items(vector, k=depth, exact=True)],
        )
        for (statement, _), vector in zip(pairs, vectors, strict=True)
    ]


def _sampled_grounding_scores(pairs, vectors: np.ndarray, *, share: float) -> list[float]:
    """``_grounding_scores`` on a large catalog: an evidence item is among the
    nearest ``share`` of the catalog when fewer than that share of a fixed
    sample (GROUNDING_SAMPLE items, every n-th id) is nearer to the phrase.
    The same catalog gives the same sample, so the same ratings still give
    the same profile; on a catalog no larger than the sample it is the exact
    rule."""
    bounds = Item.objects.aggregate(low=Min("pk"), high=Max("pk"))
    step = -(-(bounds["high"] - bounds["low"] + 1) // GROUNDING_SAMPLE)
    _, sample, _ = item_vectors(range(bounds["low"], bounds["high"] + 1, step))
    evidence = sorted({item for statement, _ in pairs for item in statement.evidence})
    found_ids, found, _ = item_vectors(evidence)
    # One product for both, so an evidence item in the sample meets itself
    # at the same similarity (a tolerance covers rounding either way).
    stacked = np.vstack([sample, found]).astype(np.float32)
    stacked /= np.maximum(np.linalg.norm(stacked, axis=1, keepdims=True), 1e-12)
    phrases = np.asarray(vectors, dtype=np.float32)
    phrases /= np.maximum(np.linalg.norm(phrases, axis=1, keepdims=True), 1e-12)
    similarity = stacked @ phrases.T
    in_sample, of_evidence = similarity[: len(sample)], similarity[len(sample) :]
    row = {int(pk): n for n, pk in enumerate(found_ids)}
    scores = []
    for column, (statement, _) in enumerate(pairs):
        ordered = np.sort(in_sample[:, column])
        retrieved = [
            item
            for item in statement.evidence
            if item in row
            and len(ordered)
            - np.searchsorted(ordered, of_evidence[row[item], column] + 1e-6, side="right")
            < share * len(ordered)
        ]
        scores.append(grounding.grounding_score(statement.evidence, retrieved))
    return scores


def _rephrase(best: dict[int, tuple[float, str]], statements) -> None:
    """Let the optional LLM reword each kept phrase; keep a rewording only if grounded.

    The rewording is parsed like typed text: one that reads as the opposite
    polarity ("no more X" for a like) or as a weaker one is refused, so
    negation words are never embedded. It must be a plain phrase that adds
    no catalog topic (text the model read may have told it to: see
    ``grounding.is_rephrasing``), and retrieve the evidence at least as well
    as the grounded text did.
    """
    rewritten = llm.rephrase(
        [best[id(s)][1] for s in statements],
        url=settings.PROFILE_LLM_URL,
        model=settings.PROFILE_LLM_MODEL,
        api_key=settings.PROFILE_LLM_API_KEY,
        timeout=settings.PROFILE_LLM_TIMEOUT,
    )
    topics = grounding.topic_words(catalog_label_counts()[0])
    candidates = []
    for statement, text in zip(statements, rewritten, strict=True):
        parsed = parse_statement(text, statement.polarity) if text else None
        if (
            parsed
            and grounding.is_rephrasing(best[id(statement)][1], text, topics=topics)
            and parsed.polarity == statement.polarity
            and parsed.weight == 1.0
            and parsed.text == parsed.embedded_text
        ):
            candidates.append((statement, parsed.text))
    # Same check as the grounded text, and no worse than it: fluency is not
    # worth losing evidence for.
    for (statement, text), score in zip(candidates, _grounding_scores(candidates), strict=True):
        if score >= max(MIN_GROUNDING, best[id(statement)][0]):
            best[id(statement)] = (score, text)


def _grounded(statements: list[generation.GeneratedStatement]) -> list[StatementDraft]:
    """Each statement with its best-grounded phrasing, and its whole group as evidence.

    Every group is kept, grounded or not: a line is the part of the person's
    taste its group holds (engine.scoring), and dropping it would drop that
    taste from their list. Grounding picks the words, and keeps an LLM's
    rewording only when it retrieves the evidence as well.
    """
    pairs = [(s, phrase) for s in statements for phrase in (s.embedded_text, *s.alternatives)]
    best: dict[int, tuple[float, str]] = {}
    for (statement, phrase), score in zip(pairs, _grounding_scores(pairs), strict=True):
        if id(statement) not in best or score > best[id(statement)][0]:
            best[id(statement)] = (score, phrase)
    if settings.PROFILE_LLM_URL and statements:
        _rephrase(best, statements)
    drafts = []
    for statement in statements:
        score, phrase = best[id(statement)]
        examples = statement.text[statement.text.rindex(" (e.g. ") :]
        drafts.append(
            StatementDraft(
                text=f"{phrase}{examples}",
                polarity=statement.polarity,
                weight=statement.weight,
                embedded_text=phrase,
                origin=Statement.Origin.GENERATED,
                evidence=tuple(statement.members or statement.evidence),
                grounding=round(score, 3),
            )
        )
    return drafts


@dataclass(frozen=True)
class Written:
    """The writer's lines for one person, not yet merged into their profile."""

    drafts: list[StatementDraft]
    interactions: int  # how many signals they were written from
    placed: list[int]  # the positives some Likes line holds (Profile.placed_items)


def profile_write(*, user_id: int, seed: int = 0) -> Written:
    """The lines the writer would give this person now; writes nothing.

    1. Read the signals and describe them (engine.profile_generation),
       keeping the identity of lines whose group is still there.
    2. Pick each line's best-grounded words (its embedding retrieves its
       evidence).
    """
    interactions = Interaction.objects.filter(user_id=user_id, kind__in=SIGNAL_KINDS).count()
    labels = _catalog_labels()
    generated = generation.generate_statements(
        user_signals(user_id),
        label_counts=labels.counts,
        catalog_size=labels.items,
        seed=seed,
        refused=labels.refused,
        cased=labels.cased,
        previous=_previous_lines(user_id),
    )
    return Written(
        drafts=_grounded(generated),
        interactions=interactions,
        placed=sorted({i for s in generated if s.polarity == "like" for i in s.members}),
    )


def profile_generate(*, user_id: int, seed: int = 0) -> GenerationResult:
    """Rewrite the generated part of a person's profile from their ratings.

    1. Write the lines (profile_write).
    2. Hand them to profiles (MergeGenerated, under the profile's lock): pinned
       and person-written statements stay exactly, generated unpinned ones
       are replaced, and nothing is written when nothing would change.
    """
    started = time.monotonic()
    # A "write it again" request made before this point is answered by this
    # run (it reads the ratings after it); a later one waits for the next.
    started_at = timezone.now()
    written = profile_write(user_id=user_id, seed=seed)
    revision = profile_generation_save(
        user=_user(user_id),
        drafts=written.drafts,
        interactions=written.interactions,
        requested_before=started_at,
        placed=written.placed,
    )
    return GenerationResult(
        revision=revision,
        statements=len(written.drafts),
        dropped=sum(1 for d in written.drafts if d.grounding < MIN_GROUNDING),
        seconds=time.monotonic() - started,
    )


def _previous_lines(user_id: int) -> list[generation.PreviousLine]:
    """The lines the writer wrote before and the profile still holds (pinned
    ones too: their groups are not grouped again)."""
    profile = Profile.objects.filter(user_id=user_id).first()
    if profile is None:
        return []
    return [
        generation.PreviousLine(
            d.embedded_text, d.polarity, tuple(d.evidence), d.text, pinned=d.pinned
        )
        for d in profile_drafts(profile)
        if d.origin == Statement.Origin.GENERATED
    ]


def profile_generation_due(*, user_id: int) -> bool:
    """Asked for and not yet done, or enough new signal since the last generation
    (or never generated)."""
    profile = Profile.objects.filter(user_id=user_id).first()
    if profile is not None and profile.regeneration_requested_at is not None:
        return True
    signals = Interaction.objects.filter(user_id=user_id, kind__in=SIGNAL_KINDS).count()
    if profile is None or profile.generated_at is None:
        return signals > 0
    return signals - profile.interactions_at_generation >= REGENERATE_AFTER


def users_due_generation(*, limit: int) -> list[int]:
    """Ids of people whose profile is due a regeneration (profile_generation_due).

    The same rule as profile_generation_due, for everyone in one query: the
    periodic catch-up uses it to find regenerations that were never queued
    (the broker was down) or whose task was lost with its worker. People who
    asked come first (oldest request first: they are waiting), then the
    oldest profiles.
    """
    signals = Count("interactions", filter=Q(interactions__kind__in=SIGNAL_KINDS))
    due = (
        get_user_model()
        .objects.annotate(signals=signals)
        .filter(
            Q(profile__regeneration_requested_at__isnull=False)
            | Q(signals__gt=0)
            & (
                Q(profile__isnull=True)
                | Q(profile__generated_at=None)
                | Q(signals__gte=F("profile__interactions_at_generation") + REGENERATE_AFTER)
            )
        )
        .order_by(
            F("profile__regeneration_requested_at").asc(nulls_last=True),
            F("profile__generated_at").asc(nulls_first=True),
            "pk",
        )
    )
    return list(due.values_list("pk", flat=True)[:limit])


def history_waiting_for_embeddings(*, user_id: int) -> bool:
    """Whether some item this person rated has no embedding yet."""
    return Interaction.objects.filter(
        user_id=user_id, kind__in=SIGNAL_KINDS, item__embedding=None
    ).exists()


def _user(user_id: int):
    return get_user_model().objects.get(pk=user_id)


class GenerationBusy(Exception):
    """Another worker is generating this person's profile right now."""


def with_user_lock(user_id: int, work):
    """Run ``work()`` holding a PostgreSQL advisory lock for this user.

    Two workers never generate one profile at once; the second is told so
    (and its task retries later) instead of waiting on the first.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [PROFILE_LOCK_SPACE, user_id])
        if not cursor.fetchone()[0]:
            raise GenerationBusy(user_id)
        try:
            return work()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [PROFILE_LOCK_SPACE, user_id])


# First key of the two-key advisory lock: the profile generator's "namespace"
# (defined beside the page's check that a profile is being written).
PROFILE_LOCK_SPACE = PROFILE_GENERATION_LOCK_SPACE
