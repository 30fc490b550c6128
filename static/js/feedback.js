// Feedback where the eye is. A page that comes back with an error or a
// confirmation (a form sent with a mistake, the message after a change)
// opens with keyboard focus on the first one, scrolled into view: an error
// under a form far down a page (the profile's upload) is not left out of
// sight below the top. A page opened at an anchor (/profile/#line-3 after
// that line was changed) shows its messages there, at the top of what the
// anchor names, instead of at the top of the page, out of sight. Without
// JavaScript the messages are still beside their forms, or at the top.
document.addEventListener("DOMContentLoaded", () => {
  const messages = document.getElementById("messages");
  const hash = window.location.hash.slice(1);
  const anchor = hash && document.getElementById(decodeURIComponent(hash));
  if (anchor) {
    if (!messages || anchor.contains(messages) || anchor.id === "main") return;
    anchor.prepend(messages);
    messages.setAttribute("tabindex", "-1");
    // The browser scrolls to the anchor, and its messages with it; it also
    // clears focus when it does (the anchor is no control): focus after that.
    window.addEventListener("load", () => {
      requestAnimationFrame(() => messages.focus({ preventScroll: true }));
    });
    return;
  }
  const said = document.querySelector('#main [role="alert"], #messages');
  if (!said) return;
  if (!said.hasAttribute("tabindex")) said.setAttribute("tabindex", "-1");
  said.focus({ preventScroll: true });
  said.scrollIntoView({ block: "center", behavior: "instant" });
});
