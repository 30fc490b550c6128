// Feedback where the eye is. A page that comes back with an error or a
// confirmation (a form sent with a mistake, the message after a change)
// opens with keyboard focus on the first one, scrolled into view: an error
// under a form far down a page (the profile's upload) is not left out of
// sight below the top. A page opened at an anchor (#line-3, #rec-12) keeps
// its place. Without JavaScript the messages are still beside their forms.
document.addEventListener("DOMContentLoaded", () => {
  if (window.location.hash) return;
  const said = document.querySelector('#main [role="alert"], #main #messages');
  if (!said) return;
  if (!said.hasAttribute("tabindex")) said.setAttribute("tabindex", "-1");
  said.focus({ preventScroll: true });
  said.scrollIntoView({ block: "center", behavior: "instant" });
});
