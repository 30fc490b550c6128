"""The profile editor, onboarding, and the account pages (sign-up, keys, data)."""

import json
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from profiles.forms import (
    AccountDeleteForm,
    OnboardingForm,
    ProfileTextForm,
    ProfileUploadForm,
    SignupForm,
    StatementForm,
    TokenForm,
    UndoForm,
)
from profiles.parser import ProfileTextError, render_profile
from profiles.revisions import revision_diff
from profiles.selectors import api_tokens, line_groups, profile_generation_running
from profiles.services import (
    AddLines,
    ChangeLine,
    DeleteLine,
    ImportProfile,
    ProfileConflict,
    ReplaceText,
    RestoreRevision,
    account_delete,
    account_export,
    profile_drafts,
    profile_edit,
    profile_export,
    profile_for,
    profile_request_regeneration,
    token_create,
    token_revoke,
)
from recsite.api import website_wait
from recsite.errors import ApplicationError

RECENT_REVISIONS = 10
# How long the page waits for a requested regeneration before saying it is
# slow: the worker usually takes a few seconds; a minute and a half means it
# is busy or not running.
REGENERATION_PATIENCE = timedelta(seconds=90)
# When this browser asked: to say "done" once, after the request is answered.
REGENERATION_KEY = "regeneration_requested_at"
# What a "write it again" the person applied did, shown once with its undo
# (set by engine.views.regeneration_apply_view).
REGENERATED_KEY = "profiles:regenerated"


def _with_changes(revisions):
    """Newest first, each with what changed since the one before it."""
    for index, newer in enumerate(revisions):
        older = revisions[index + 1].statements if index + 1 < len(revisions) else []
        newer.changes = revision_diff(older, newer.statements)
    return revisions[:RECENT_REVISIONS]


def _history(request: HttpRequest, profile) -> dict:
    """One page of the history (``?history=N``, newest first), each revision
    with what changed since the one before it (read one past the page)."""
    page = Paginator(profile.revisions.all(), RECENT_REVISIONS).get_page(request.GET.get("history"))
    start = page.start_index() - 1 if page.paginator.count else 0
    rows = list(profile.revisions.all()[start : start + RECENT_REVISIONS + 1])
    return {"revisions": _with_changes(rows), "history_page": page}


def _regeneration_state(request: HttpRequest, profile) -> str | None:
    """Where a regeneration the person asked for stands: pending, writing, slow, done or None.

    The request is stored on the profile until a generation that started
    after it completes, whoever ran it (the task it queued or, if that was
    lost, beat's catch-up): while it is there the page says it is queued, or
    being written while a worker holds the person's generation lock, or slow
    after REGENERATION_PATIENCE. Once it is answered, the browser that asked
    is told "done" once.
    """
    requested = profile.regeneration_requested_at
    if requested is not None:
        if profile_generation_running(user_id=profile.user_id):
            return "writing"
        if timezone.now() - requested > REGENERATION_PATIENCE:
            return "slow"
        return "pending"
    asked = request.session.pop(REGENERATION_KEY, None)
    if asked and profile.generated_at and profile.generated_at >= datetime.fromisoformat(asked):
        return "done"
    return None


def _with_groups(profile) -> list:
    """The profile's statements, each with what it stands for (``.group``)."""
    groups = line_groups(profile=profile)
    statements = list(profile.statements.order_by("position"))
    for statement in statements:
        statement.group = groups.get(statement.position)
    return statements


def _page(request, *, form=None, upload=None, status=200):
    profile = profile_for(request.user)
    drafts = profile_drafts(profile)
    text = render_profile([d.parsed() for d in drafts])
    return render(
        request,
        "profiles/profile.html",
        {
            "profile": profile,
            "statements": _with_groups(profile),
            "form": form
            or ProfileTextForm(initial={"text": text, "base_revision": profile.revision}),
            "upload": upload or ProfileUploadForm(initial={"base_revision": profile.revision}),
            **_history(request, profile),
            "regeneration": _regeneration_state(request, profile),
            "regenerated": request.session.pop(REGENERATED_KEY, None),
        },
        status=status,
    )


@login_required
@require_GET
def profile_page(request):
    return _page(request)


@login_required
@require_POST
def profile_save(request):
    form = ProfileTextForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        profile_edit(
            user=request.user,
            edit=ReplaceText(form.cleaned_data["text"], form.cleaned_data["choices"]),
            base_revision=form.cleaned_data["base_revision"],
        )
    except ProfileTextError as error:
        form.add_error("text", error.message)
        return _page(request, form=form, status=400)
    except ProfileConflict as conflict:
        # Keep what the person typed in the box, now based on the current
        # revision: saving again is a deliberate choice to replace it.
        form = ProfileTextForm(
            {
                "text": form.cleaned_data["text"],
                "base_revision": conflict.extra["current_revision"],
                "choices": request.POST.get("choices", ""),
            }
        )
        form.is_valid()
        form.add_error(None, conflict.message)
        return _page(request, form=form, status=409)
    except ApplicationError as error:  # a label chosen beside a line that the catalog lacks
        form.add_error("text", error.message)
        return _page(request, form=form, status=400)
    messages.success(request, "Your profile is saved.")
    return redirect("profiles:profile")


@login_required
@require_POST
def profile_undo_view(request, number: int):
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That undo button was out of date; try again.")
        return redirect("profiles:profile")
    try:
        change = profile_edit(
            user=request.user,
            edit=RestoreRevision(number),
            base_revision=form.cleaned_data["base_revision"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, change.message)
    return redirect("profiles:profile")


@login_required
@require_POST
def profile_regenerate(request):
    request.session[REGENERATION_KEY] = timezone.now().isoformat()
    profile_request_regeneration(user=request.user)
    if request.htmx:
        profile = profile_for(request.user)
        return render(
            request,
            "profiles/_regeneration_status.html",
            {"regeneration": _regeneration_state(request, profile), "profile": profile},
        )
    messages.success(
        request,
        "Your profile will be written again from your ratings in a moment; "
        "lines you wrote or pinned stay as they are.",
    )
    return redirect("profiles:profile")


@login_required
@require_GET
def profile_regeneration_status(request):
    """The progress line the profile page polls every 2 seconds while it waits."""
    if not request.htmx:
        return redirect("profiles:profile")
    profile = profile_for(request.user)
    return render(
        request,
        "profiles/_regeneration_status.html",
        {"regeneration": _regeneration_state(request, profile), "profile": profile},
    )


@login_required
@require_POST
def statement_update(request, position: int):
    """Change one line's polarity, strength or pin (a new revision, like any edit)."""
    form = StatementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Strength is a number from 0 to 1; nothing was changed.")
        return redirect("profiles:profile")
    try:
        change = profile_edit(
            user=request.user,
            edit=ChangeLine(
                position,
                polarity=form.cleaned_data["polarity"],
                weight=form.cleaned_data["weight"],
                pinned=form.cleaned_data["pinned"],
            ),
            base_revision=form.cleaned_data["base_revision"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if change.revision is None:
            messages.info(request, "Nothing to change on that line.")
            return redirect("profiles:profile")
        messages.success(request, change.message)
        # A line made an Avoids line (or a Likes line) has moved to its section.
        position = change.moved(position)
    return redirect(f"{reverse('profiles:profile')}#line-{position}")


@login_required
@require_POST
def statement_delete(request, position: int):
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That button was out of date; try again.")
        return redirect("profiles:profile")
    try:
        change = profile_edit(
            user=request.user,
            edit=DeleteLine(position),
            base_revision=form.cleaned_data["base_revision"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{change.message} The history below can bring it back.")
    return redirect("profiles:profile")


@login_required
@require_GET
def profile_download(request, fmt: str):
    exported = profile_export(user=request.user)
    if fmt == "json":
        response = JsonResponse(exported, json_dumps_params={"ensure_ascii": False, "indent": 2})
    else:
        response = HttpResponse(exported["text"], content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="profile.{fmt}"'
    return response


@login_required
@require_POST
def profile_upload(request):
    upload = ProfileUploadForm(request.POST, request.FILES)
    wait = website_wait(request, scope="write")
    if wait:
        upload.is_valid()
        upload.add_error("file", f"Too many changes at once: try again in {wait} s.")
        response = _page(request, upload=upload, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not upload.is_valid():
        return _page(request, upload=upload, status=400)
    content = upload.cleaned_data["file"]
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        data = content  # not JSON (or nested past reading): profile text
    try:
        profile_edit(
            user=request.user,
            edit=ImportProfile(data),
            base_revision=upload.cleaned_data["base_revision"],
        )
    except ApplicationError as error:
        upload.add_error("file", error.message)
        return _page(
            request, upload=upload, status=409 if isinstance(error, ProfileConflict) else 400
        )
    messages.success(request, "Your profile is loaded from the file.")
    return redirect("profiles:profile")


# --- Onboarding -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request):
    """A new person types a few likes and dislikes and sees a list made from them at once.

    The lines are added after any the profile already has (nothing typed
    before is lost), as the person's own lines.
    """
    profile = profile_for(request.user)
    if request.method == "GET":
        form = OnboardingForm(initial={"base_revision": profile.revision})
        return render(request, "profiles/welcome.html", {"form": form, "profile": profile})
    form = OnboardingForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            profile_edit(
                user=request.user,
                edit=AddLines(
                    likes=tuple(form.lines(form.cleaned_data["likes"])),
                    avoids=tuple(form.lines(form.cleaned_data["avoids"])),
                ),
                base_revision=form.cleaned_data["base_revision"],
            )
        except ProfileConflict as conflict:
            form = OnboardingForm(
                {**form.cleaned_data, "base_revision": conflict.extra["current_revision"]}
            )
            form.is_valid()
            form.add_error(None, "Your profile changed meanwhile; save again to add these lines.")
            status = 409
        except ProfileTextError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                "Here is your first list, made from what you typed. Rate things as you go, "
                "and change your lines any time on your profile.",
            )
            return redirect("engine:for_you")
    return render(
        request, "profiles/welcome.html", {"form": form, "profile": profile}, status=status
    )


# --- Account ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("engine:for_you")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}! Tell us what you like to begin.")
        return redirect("profiles:welcome")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)


def _account_page(request, *, token_form=None, new_key=None, status=200):
    return render(
        request,
        "profiles/account.html",
        {
            "tokens": api_tokens(user=request.user),
            "token_form": token_form or TokenForm(),
            "new_key": new_key,
        },
        status=status,
    )


# A new API key rides from the POST that made it to the one page that shows
# it in a signed cookie for that page alone: never in a table, a session or
# a message (only the key's hash is kept), and the POST can redirect, so a
# reload shows the page again instead of making another key.
NEW_KEY_COOKIE = "new_api_key"
NEW_KEY_SECONDS = 300


@login_required
@require_GET
def account(request):
    new_key = _new_key(request)
    response = _account_page(request, new_key=new_key)
    if new_key:
        response.delete_cookie(NEW_KEY_COOKIE, path=reverse("profiles:account"))
        response["Cache-Control"] = "no-store"
    return response


def _new_key(request) -> dict | None:
    """The key the person just made, from its cookie, if it is theirs."""
    value = request.get_signed_cookie(
        NEW_KEY_COOKIE, default="", salt=NEW_KEY_COOKIE, max_age=NEW_KEY_SECONDS
    )
    token_id, _, key = value.partition(":")
    if not token_id.isdigit():
        return None
    token = api_tokens(user=request.user).filter(pk=int(token_id)).first()
    return {"token": token, "key": key} if token and key else None


@login_required
@require_POST
def token_new(request):
    """Make an API key, then show it on the account page this once."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _account_page(request, token_form=form, status=400)
    try:
        token, key = token_create(user=request.user, name=form.cleaned_data["name"])
    except ApplicationError as error:
        form.add_error("name", error.message)
        return _account_page(request, token_form=form, status=400)
    response = redirect("profiles:account")
    response.set_signed_cookie(
        NEW_KEY_COOKIE,
        f"{token.pk}:{key}",
        salt=NEW_KEY_COOKIE,
        max_age=NEW_KEY_SECONDS,
        path=reverse("profiles:account"),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


@login_required
@require_POST
def token_remove(request, token_id: int):
    try:
        token_revoke(user=request.user, token_id=token_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Key revoked: apps using it can no longer sign in.")
    return redirect("profiles:account")


@login_required
@require_GET
def account_download(request):
    response = JsonResponse(
        account_export(user=request.user), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="my-recsite-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_remove(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        account_delete(user=user)
        messages.success(request, "Your account and everything in it are deleted.")
        return redirect("engine:item_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "profiles/account_delete.html", {"form": form}, status=status)
