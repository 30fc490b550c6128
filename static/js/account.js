// A new API key is shown once: focusing its box selects it, ready to copy.
// A file rather than an onfocus attribute, which the CSP would refuse.
document.querySelector('[data-testid="new-key-value"]')?.addEventListener("focus", (event) => {
  event.target.select();
});
