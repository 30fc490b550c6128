// The reason controls' small comforts; every control also works without this.
// Cancel closes a preview in place instead of reloading the page, and a
// preview or toast that arrives moves keyboard focus to itself.
document.addEventListener("click", (event) => {
  const cancel = event.target.closest(".steer-cancel");
  if (!cancel || !cancel.closest(".steer-slot")) return;
  event.preventDefault();
  const slot = cancel.closest(".steer-slot");
  slot.replaceChildren();
  const controls = slot.closest(".reason-controls");
  if (controls) controls.querySelector("button")?.focus();
});

document.addEventListener("htmx:afterSwap", (event) => {
  // An outerHTML swap leaves the old (detached) element as the target.
  const root = event.detail.target.isConnected ? event.detail.target : document;
  const shown = root.querySelector(".steer-preview, .toast");
  if (shown) {
    shown.setAttribute("tabindex", "-1");
    shown.focus({ preventScroll: false });
  }
});
