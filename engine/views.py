"""Pages that show what the engine computes: the catalog and its search, item
pages with their buttons, "For you", the profile editor's preview, why-not."""

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url, reswap, retarget

from catalog.models import Item
from catalog.selectors import categories_in_use, items_browse
from engine import concepts, retrieval, scoring, steering
from engine.catalog_cache import catalog_stats, line_neighbours, tag_index
from engine.forms import (
    CatalogFilterForm,
    ListControlsForm,
    PreviewForm,
    ReactionForm,
    RegenerationApplyForm,
    SteerForm,
)
from engine.person import ListOptions
from engine.preview import recommendations_preview
from engine.recommend import Move, Served, recommend_for_user, why_not
from engine.regeneration import regeneration_apply, regeneration_preview
from engine.related import more_like_this
from profiles.parser import typed_sections
from profiles.selectors import LineGroup, item_reaction, line_groups, person_is_new
from profiles.services import (
    STRENGTH_SCALE,
    ProfileConflict,
    StatementDraft,
    interaction_react,
    profile_drafts,
    profile_for,
    profile_settings_update,
)
from profiles.views import REGENERATED_KEY
from recsite.api import website_wait
from recsite.errors import ApplicationError

PAGE_SIZE = 24
MORE_LIKE_THIS = 6
FOR_YOU_SIZE = 12
STARS = (1, 2, 3, 4, 5)


# --- Catalog ------------------------------------------------------------------


@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    """Browse by popularity, or search by meaning and title; filter by category and years.

    A search ranks by meaning, so it always finds something: the closest
    items come first, exact and partial title matches above them. When none
    of them matches well ("zzzzqqqxx"), the page says so instead of calling
    them matches.
    """
    form = CatalogFilterForm(request.GET)
    form.is_valid()  # a bad field is reported and left out; the valid ones still apply
    filters = form.cleaned_data
    query = (filters.get("q") or "").strip()
    category = filters.get("category") or ""
    year_from, year_to = filters.get("year_from"), filters.get("year_to")
    if query:
        found = [
            scored.item
            for scored in retrieval.search_items(query, k=retrieval.MAX_K, category=category)
        ]
        items = [
            item
            for item in found
            if (year_from is None or (item.year is not None and item.year >= year_from))
            and (year_to is None or (item.year is not None and item.year <= year_to))
        ]
    else:
        items = items_browse(category=category, year_from=year_from, year_to=year_to)
    well = bool(query) and retrieval.search_matches_well(query, items, catalog_stats())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {name: value for name, value in filters.items() if value not in (None, "")}
    return render(
        request,
        "catalog/item_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "matches_well": well,
            "category": category,
            "filtered": bool(kept),
            "filter_query": urlencode(kept),
            "categories": categories_in_use(),
        },
    )


# --- Item page ----------------------------------------------------------------


def _active_item(pk: int) -> Item:
    return get_object_or_404(Item.objects.filter(is_active=True).defer("embedding"), pk=pk)


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _active_item(pk)
    return _item_page(request, item)


def _item_reasons(request, item: Item) -> dict:
    """The item's "Why recommended", with the same controls as on For you, when it
    is in the person's list now (not logged: nothing was served)."""
    listed = recommend_for_user(user=request.user, options=ListOptions(k=FOR_YOU_SIZE), log=False)
    profile = profile_for(request.user)
    cards = _cards(listed, lines=_profile_lines(profile))
    recommended = next((card for card in cards if card.item.pk == item.pk), None)
    return {"recommended": recommended, "profile": profile}


def _item_page(request, item: Item, *, why=None) -> HttpResponse:
    context = {
        "item": item,
        "similar": more_like_this(item, k=MORE_LIKE_THIS),
        "reaction": None,
        "stars": STARS,
        "why": why,
        "recommended": None,
        "profile": None,
    }
    if request.user.is_authenticated:
        context["reaction"] = item_reaction(user=request.user, item=item)
        context.update(_item_reasons(request, item))
    return render(request, "engine/item_detail.html", context)


@login_required
@require_POST
def item_react(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate, like, dislike or mark an item not interested; pressing it again takes it back.

    htmx swaps the button group, with its message beside the buttons, and the
    item's "Why recommended" (out of band): a like or a dislike can take the
    item out of the list, or move it. Without JavaScript the form posts and
    the page comes back with a message.
    """
    item = _active_item(pk)
    form = ReactionForm(request.POST)
    error = None
    done = ""
    if form.is_valid():
        rating, action = form.cleaned_data["rating"], form.cleaned_data["action"]
        try:
            outcome = interaction_react(user=request.user, item=item, rating=rating, action=action)
        except ApplicationError as failure:
            error = failure.message
        else:
            done = f"Rated {rating} of 5." if outcome == "rated" else REACTION_DONE[outcome]
    else:
        error = " ".join(message for errors in form.errors.values() for message in errors)
    status = 400 if error else 200
    if request.htmx:
        context = {
            "item": item,
            "reaction": item_reaction(user=request.user, item=item),
            "stars": STARS,
            "error": error,
            "done": done,
            "oob": not error,
        }
        if not error:
            context.update(_item_reasons(request, item))
        return render(request, "engine/_item_answer.html", context, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("engine:item_detail", pk=item.pk)


REACTION_DONE = {
    "unrated": "Rating removed.",
    "taken_back": "Taken back.",
    "like": "Liked: more like this.",
    "dislike": "Disliked: less like this.",
    "not_interested": "Not interested: it will not be recommended again.",
}


@login_required
@require_GET
def item_why_not(request: HttpRequest, pk: int) -> HttpResponse:
    """Why this item is not in the person's "For you" list (a fragment for htmx)."""
    item = _active_item(pk)
    why = why_not(user=request.user, item_id=item.pk, options=ListOptions(k=FOR_YOU_SIZE))
    if request.htmx:
        return render(request, "engine/_why_not.html", {"why": why, "item": item})
    return _item_page(request, item, why=why)


# --- For you --------------------------------------------------------------------


@dataclass(frozen=True)
class LineControls:
    """A profile line the rationale quotes, with what its controls need to show."""

    position: int
    statement: StatementDraft
    group: LineGroup | None = None  # what the line stands for
    faded: bool = False  # acted on from this card, and no longer part of its reason

    @property
    def strength_pips(self) -> list[bool]:
        """The strength scale as filled and empty steps (0.6 -> 3 of 5)."""
        return [step <= self.statement.weight + 1e-9 for step in STRENGTH_SCALE]

    @property
    def strength_step(self) -> int:
        """How many steps of the scale the line's strength fills (0.6 -> 3)."""
        return sum(self.strength_pips)

    @property
    def strongest(self) -> bool:
        return self.statement.weight >= STRENGTH_SCALE[-1] - 1e-9

    @property
    def weakest(self) -> bool:
        return self.statement.weight <= STRENGTH_SCALE[0] + 1e-9


@dataclass(frozen=True)
class Card:
    """One recommendation as the page shows it."""

    item: Item
    rank: int
    rationale: tuple[scoring.ReasonPart, ...]
    sources: list[scoring.HistorySource]
    contributions: dict[str, float]
    lines: list[LineControls] = field(default_factory=list)  # quoted lines, in order
    matched: bool = False  # whether any profile line matched it
    change: str = ""  # after a steering action: entered, up, down, same
    before: int | None = None  # ... and its rank before it


@dataclass(frozen=True)
class _ProfileLines:
    """The profile's lines as the reason controls show them, with their groups."""

    drafts: list[StatementDraft]
    groups: dict[int, LineGroup]


def _profile_lines(profile) -> _ProfileLines:
    return _ProfileLines(profile_drafts(profile), line_groups(profile=profile))


def _card(served, lines: _ProfileLines, change: Move | None = None) -> Card:
    recommendation = served.recommendation
    parts = recommendation.reason
    positions = list(dict.fromkeys(p.line for p in parts if p.line is not None))
    return Card(
        item=served.item,
        rank=recommendation.rank,
        rationale=parts,
        sources=list(recommendation.scored.sources),
        contributions=recommendation.scored.contributions,
        lines=[
            LineControls(n, lines.drafts[n], lines.groups.get(n))
            for n in positions
            if n < len(lines.drafts)
        ],
        matched=bool(recommendation.scored.matches),
        change=change.change if change else "",
        before=change.before if change else None,
    )


def _cards(listed, *, lines: _ProfileLines) -> list[Card]:
    return [_card(served, lines) for served in listed.items]


def _keep_acted_line(cards: list[Card], steered: dict, lines: _ProfileLines) -> list[Card]:
    """The card acted on keeps the line its control changed, marked ``faded``,
    when the line no longer makes its reason: "Less of this" can weaken a line
    out of a reason, and its "More of this" must stay where it was pressed."""
    card_id, position = steered.get("card"), steered.get("line")
    if card_id is None or position is None or position >= len(lines.drafts):
        return cards
    faded = LineControls(position, lines.drafts[position], lines.groups.get(position), faded=True)
    return [
        replace(card, lines=[*card.lines, faded])
        if card.item.pk == card_id and all(line.position != position for line in card.lines)
        else card
        for card in cards
    ]


def _for_you_context(request, *, category: str, steered: dict | None = None) -> dict:
    """The list and its controls; ``steered``: what a steering action just did
    (a toast with its undo, and each item's move)."""
    profile = profile_for(request.user)
    listed = recommend_for_user(
        user=request.user, options=ListOptions(k=FOR_YOU_SIZE, category=category)
    )
    lines = _profile_lines(profile)
    cards = _cards(listed, lines=lines)
    if steered:
        moves = steered.get("changes", {})
        cards = [
            replace(card, change=moves[str(card.item.pk)][0], before=moves[str(card.item.pk)][1])
            if str(card.item.pk) in moves
            else card
            for card in cards
        ]
        cards = _keep_acted_line(cards, steered, lines)
    return {
        "profile": profile,
        "cards": cards,
        "category": category,
        "categories": categories_in_use(),
        "is_new": person_is_new(user=request.user),
        "personalised": listed.settings.personalised,
        "steered": steered,
        "acted": steered.get("card") if steered else None,
    }


@login_required
@require_GET
def for_you(request: HttpRequest) -> HttpResponse:
    form = ListControlsForm(request.GET)
    category = form.cleaned_data["category"] if form.is_valid() else ""
    # A steering action applied without htmx (or from an item page) comes
    # back here with its toast and undo, once.
    steered = request.session.pop(STEERED_SESSION_KEY, None)
    return render(
        request,
        "engine/for_you.html",
        _for_you_context(request, category=category, steered=steered),
    )


@login_required
@require_POST
def for_you_controls(request: HttpRequest) -> HttpResponse:
    """Save personalisation and balance, then show the list (with the category asked for).

    htmx swaps only the list, so a keyboard user moving the slider keeps focus.
    """
    form = ListControlsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Those settings were not understood; nothing changed.")
        return redirect("engine:for_you")
    profile_settings_update(
        user=request.user,
        personalised=form.cleaned_data["personalised"],
        balance=form.cleaned_data["balance"],
    )
    category = form.cleaned_data["category"]
    url = reverse("engine:for_you") + (f"?{urlencode({'category': category})}" if category else "")
    if request.htmx:
        response = render(
            request, "engine/_for_you_list.html", _for_you_context(request, category=category)
        )
        return push_url(response, url)
    return redirect(url)


# --- Profile editor preview -------------------------------------------------------


@login_required
@require_POST
def profile_preview(request: HttpRequest) -> HttpResponse:
    """What the typed (unsaved) profile would recommend, against the current list.

    Writes nothing: not the profile, not a served-list log.
    """
    wait = website_wait(request, scope="preview")
    if wait:
        response = render(
            request,
            "profiles/_preview.html",
            {"error": f"Too many previews at once: the next in {wait} s.", "preview": None},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    form = PreviewForm(request.POST)
    context: dict = {"error": None, "preview": None}
    status = 200
    if not form.is_valid():
        status = 400
        errors = [error for field in ("text", "choices") for error in form.errors.get(field, [])]
        context["error"] = " ".join(errors or ["The text could not be read."])
    else:
        try:
            preview = recommendations_preview(
                user=request.user,
                text=form.cleaned_data["text"],
                options=ListOptions(k=FOR_YOU_SIZE),
                choices=form.cleaned_data["choices"],
            )
        except ApplicationError as error:
            context["error"], status = error.message, 400
        else:
            context["preview"] = preview
            context["new_lines"] = preview_readings(preview, form.cleaned_data["text"])
    return render(request, "profiles/_preview.html", context, status=status)


def preview_readings(preview, text: str) -> list:
    """How the draft's new or changed lines, and those with a label the person
    chose, were read (engine.concepts), for the preview to show beside them."""
    added = set(preview.added_lines)
    stats = catalog_stats()
    return concepts.line_readings(
        [d for d in preview.drafts if d.text in added or d.concept],
        stats.categories,
        stats,
        tags=tag_index(stats),
        sections=typed_sections(text),
        nearest=line_neighbours(stats),
    )


# --- "Write it again", previewed ------------------------------------------------


@login_required
@require_POST
def regeneration_preview_view(request: HttpRequest) -> HttpResponse:
    """What "write it again" would change, beside the profile; saves nothing."""
    wait = website_wait(request, scope="preview")
    if wait:
        message = f"Too many previews at once: ask again in {wait} s."
        response = _regeneration_page(request, None, error=message, status=429)
        response["Retry-After"] = str(wait)
        return response
    return _regeneration_page(request, regeneration_preview(user=request.user))


@login_required
@require_POST
def regeneration_apply_view(request: HttpRequest) -> HttpResponse:
    """Write the previewed lines as one revision, then show the profile with an undo.

    A profile that changed since the preview (an edit in another tab, an
    automatic regeneration) is not overwritten: the answer is a 409 with a
    fresh preview, to apply or not.
    """
    form = RegenerationApplyForm(request.POST)
    if not form.is_valid():
        return _regeneration_page(request, None, error="That preview was incomplete.", status=400)
    try:
        applied = regeneration_apply(user=request.user, token=form.cleaned_data["token"])
    except ApplicationError as error:
        fresh = (
            regeneration_preview(user=request.user) if isinstance(error, ProfileConflict) else None
        )
        message = (
            "Your profile changed since that preview: here is what writing it again would do now."
            if fresh
            else error.message
        )
        return _regeneration_page(request, fresh, error=message, status=error.status_code)
    request.session[REGENERATED_KEY] = {
        "message": applied.message,
        "undo": applied.undo.number if applied.undo else None,
        "revision": applied.revision.number if applied.revision else None,
    }
    url = reverse("profiles:profile")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _regeneration_page(request, preview, *, error: str = "", status: int = 200) -> HttpResponse:
    """The preview under the profile page's button (htmx), or as a page of its own."""
    context = {"preview": preview, "error": error}
    template = (
        "profiles/_regeneration_preview.html" if request.htmx else "profiles/regeneration.html"
    )
    return render(request, template, context, status=status)


# --- Steering from a reason ----------------------------------------------------

STEERED_SESSION_KEY = "engine:steered"


# The actions after which the line acted on is still the same line of the
# profile, at the same position (not deleted, not turned into an Avoids line).
LINE_KEPT_ACTIONS = ("more", "less", "edit", "pin", "unpin")


def _steered(outcome: steering.Outcome, card: int | None) -> dict:
    """What the page shows after an action (JSON-safe): a toast with undo,
    moves, what left, and the card acted on with the line its control changed."""
    action = outcome.action
    return {
        "message": outcome.message,
        "undo": outcome.undo.fields() if outcome.undo else None,
        "changes": {str(c.item.pk): [c.change, c.before] for c in outcome.items},
        "left": [[c.item.pk, c.item.title] for c in outcome.left],
        "card": card,
        "line": action.statement if action.name in LINE_KEPT_ACTIONS else None,
    }


def _steer_error(field: str, errors: list[str]) -> str:
    """A refused control's message in a person's words: the typed text's own
    error as it is, any other field (which the page fills in itself) as an
    out-of-date control."""
    if field in ("text", "__all__"):
        return " ".join(errors)
    return "This control is out of date: reload the page and try again."


@login_required
@require_POST
def steer(request: HttpRequest) -> HttpResponse:
    """A control on a recommendation's reason: preview what it does, or apply it.

    1. ``preview``: the fragment under the card says what would enter, move
       and leave, with Apply and Cancel; nothing is saved.
    2. Apply: the new revision (or changed interaction); htmx swaps in the
       new list with each item's move and a toast whose Undo posts the
       action that takes it back. From an item page, or without JavaScript,
       the browser goes to For you, which shows the same.
    A bad or stale action answers with its message where the preview shows
    (400, 404, 409), never a 500.
    """
    form = SteerForm(request.POST)
    card = request.POST.get("card", "")
    target = f"#steer-{card}" if card.isdigit() else "#steer-errors"
    if not form.is_valid():
        message = " ".join(_steer_error(name, errors) for name, errors in form.errors.items())
        return _steer_problem(request, message, status=400, target=target)
    data = form.cleaned_data
    action = steering.Action(name=data["action"], **form.action_fields())
    category = data["category"] or ""
    try:
        outcome = steering.steer(
            user=request.user,
            action=action,
            preview=data["preview"],
            options=ListOptions(k=FOR_YOU_SIZE, category=category),
        )
    except ApplicationError as failure:
        return _steer_problem(request, failure.message, status=failure.status_code, target=target)
    if outcome.preview:
        return _steer_preview(request, outcome, action, data)
    return _steer_applied(request, outcome, data)


def _steer_preview(request, outcome: steering.Outcome, action, data: dict) -> HttpResponse:
    """What the action would do, under its card (or on the For you page without htmx)."""
    context = {
        "outcome": outcome,
        "moved": [c for c in outcome.items if c.change != "same"],
        "fields": action.fields(),
        "category": data["category"] or "",
        "card": data["card"],
        "origin": data["origin"] or "for-you",
    }
    if request.htmx:
        return render(request, "engine/_steer_preview.html", context)
    page = _for_you_context(request, category=context["category"])
    return render(request, "engine/for_you.html", {**page, "steer_preview": context})


def _steer_applied(request, outcome: steering.Outcome, data: dict) -> HttpResponse:
    """The new list with each item's move and the undo toast; For you shows it
    after a redirect when the action came from an item page or without htmx."""
    category = data["category"] or ""
    steered = _steered(outcome, data["card"])
    url = reverse("engine:for_you") + (f"?{urlencode({'category': category})}" if category else "")
    if data["card"]:
        url += f"#rec-{data['card']}"  # the card acted on, where the page opens
    if request.htmx and data["origin"] != "item":
        profile = profile_for(request.user)
        lines = _profile_lines(profile)
        cards = [_card(Served(c.item, c.recommendation), lines, c) for c in outcome.items]
        context = {
            "profile": profile,
            "cards": _keep_acted_line(cards, steered, lines),
            "category": category,
            "is_new": person_is_new(user=request.user),
            "personalised": profile.personalised,
            "steered": steered,
            "acted": data["card"],
        }
        return render(request, "engine/_for_you_list.html", context)
    request.session[STEERED_SESSION_KEY] = steered
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _steer_problem(request, message: str, *, status: int, target: str) -> HttpResponse:
    if request.htmx:
        response = render(request, "engine/_steer_preview.html", {"error": message}, status=status)
        # Into the slot, whatever the control swaps on success (Apply: the whole list).
        return reswap(retarget(response, target), "innerHTML")
    messages.error(request, message)
    return redirect("engine:for_you")
