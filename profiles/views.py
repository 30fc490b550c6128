"""The profile page: read how each line was understood, edit, undo, export, import."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from profiles.forms import ProfileTextForm, ProfileUploadForm, UndoForm
from profiles.parser import ProfileTextError, render_profile
from profiles.revisions import revision_diff
from profiles.services import (
    ProfileConflict,
    profile_drafts,
    profile_export,
    profile_for,
    profile_import,
    profile_request_regeneration,
    profile_undo,
    profile_write_text,
)
from recsite.errors import ApplicationError

RECENT_REVISIONS = 10


def _with_changes(revisions):
    """Newest first, each with what changed since the one before it."""
    for index, newer in enumerate(revisions):
        older = revisions[index + 1].statements if index + 1 < len(revisions) else []
        newer.changes = revision_diff(older, newer.statements)
    return revisions[:RECENT_REVISIONS]


def _page(request, *, form=None, upload=None, status=200):
    profile = profile_for(request.user)
    drafts = profile_drafts(profile)
    text = render_profile([d.parsed() for d in drafts])
    return render(
        request,
        "profiles/profile.html",
        {
            "profile": profile,
            "statements": profile.statements.order_by("position"),
            "form": form
            or ProfileTextForm(initial={"text": text, "base_revision": profile.revision}),
            "upload": upload or ProfileUploadForm(initial={"base_revision": profile.revision}),
            "revisions": _with_changes(list(profile.revisions.all()[: RECENT_REVISIONS + 1])),
        },
        status=status,
    )


@login_required
@require_GET
def profile_page(request):
    return _page(request)


@login_required
@require_POST
def profile_edit(request):
    form = ProfileTextForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        revision = profile_write_text(
            user=request.user,
            text=form.cleaned_data["text"],
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
            }
        )
        form.is_valid()
        form.add_error(None, conflict.message)
        return _page(request, form=form, status=409)
    messages.success(request, f"Saved as revision {revision.number}.")
    return redirect("profiles:profile")


@login_required
@require_POST
def profile_undo_view(request, number: int):
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That undo button was out of date; try again.")
        return redirect("profiles:profile")
    try:
        revision = profile_undo(
            user=request.user, number=number, base_revision=form.cleaned_data["base_revision"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Revision {number} restored as revision {revision.number}.")
    return redirect("profiles:profile")


@login_required
@require_POST
def profile_regenerate(request):
    profile_request_regeneration(user=request.user)
    messages.success(
        request,
        "Your profile will be written again from your ratings in a moment; "
        "lines you wrote or pinned stay as they are.",
    )
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
    if not upload.is_valid():
        return _page(request, upload=upload, status=400)
    content = upload.cleaned_data["file"]
    try:
        data = json.loads(content)
    except ValueError:
        data = content  # not JSON: profile text
    try:
        revision = profile_import(
            user=request.user, data=data, base_revision=upload.cleaned_data["base_revision"]
        )
    except ApplicationError as error:
        upload.add_error("file", error.message)
        return _page(
            request, upload=upload, status=409 if isinstance(error, ProfileConflict) else 400
        )
    messages.success(request, f"Imported as revision {revision.number}.")
    return redirect("profiles:profile")
