// The reason controls' small comforts; every control also works without this.
// Cancel closes a preview in place instead of reloading the page; a preview
// that arrives moves keyboard focus to itself; after Apply or Undo the card
// acted on is put back on screen, just under the toast that says what
// happened, and the toast takes focus without moving the page.
document.addEventListener("click", (event) => {
  const cancel = event.target.closest(".steer-cancel");
  if (!cancel || !cancel.closest(".steer-slot")) return;
  event.preventDefault();
  const slot = cancel.closest(".steer-slot");
  slot.replaceChildren();
  const controls = slot.closest(".reason-controls");
  if (controls) controls.querySelector("button")?.focus();
});

// Put ``card``'s top just below the toast, which sticks to the top of the
// screen while the list is scrolled. Twice: where the toast sits depends on
// the scroll (stuck at the top, or in its place above the first card).
function underToast(card, toast) {
  for (let pass = 0; pass < 2; pass += 1) {
    const below = toast ? toast.getBoundingClientRect().bottom + 8 : 8;
    const off = card.getBoundingClientRect().top - below;
    if (Math.abs(off) < 1) return;
    window.scrollBy({ top: off, behavior: "instant" });
  }
}

function showOutcome(list, acted) {
  const toast = list.querySelector(".toast");
  const card =
    (acted && list.querySelector(`#rec-${CSS.escape(acted.id)}`)) ||
    (acted && acted.rank && list.querySelector(`.rec[data-rank="${CSS.escape(acted.rank)}"]`));
  if (card) underToast(card, toast);
  if (toast) {
    toast.setAttribute("tabindex", "-1");
    toast.focus({ preventScroll: Boolean(card) });
  }
}

// The card an Apply or Undo acts on (its id and rank now), read before the
// list is replaced; a card that left the list is stood in for by the one at
// its rank.
let acted = null;
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest("form");
  const id = form?.querySelector('input[name="card"]')?.value;
  if (!id || form.querySelector('input[name="preview"]')) return;
  const card = document.getElementById(`rec-${id}`);
  acted = { id, rank: card?.dataset.rank };
});

document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  const list = document.getElementById("recommendations");
  const applied = event.detail.xhr && event.detail.xhr.status < 400;
  // An outerHTML swap of the list leaves the old (detached) list as the target.
  if (applied && !target.isConnected && list) {
    showOutcome(list, acted);
    acted = null;
    return;
  }
  acted = null;
  const preview = target.isConnected && target.querySelector(".steer-preview");
  if (preview) {
    preview.setAttribute("tabindex", "-1");
    preview.focus();
  }
});

// A page that opens with a toast (an action applied from an item page, or
// without htmx) shows the card acted on, named by the address's #rec-<id>.
// After load: the browser's own scroll to the anchor is done by then.
window.addEventListener("load", () => {
  const list = document.getElementById("recommendations");
  if (!list || !list.querySelector(".toast")) return;
  const id = window.location.hash.match(/^#rec-(\d+)$/)?.[1];
  showOutcome(list, id ? { id } : null);
});
