// The preview's one-click switch for a line whose section header decided its
// reading while its words lean the other way: the line moves to the other
// section of the profile text, so saving stores it with the reading chosen
// (and edits of other lines keep it), and the preview runs again.
(() => {
  const HEADERS = { like: ["likes:", "like:"], avoid: ["avoids:", "avoid:", "dislikes:"] };

  // A line of the text as the parser reads it: no bullet, no strength marker.
  const bare = (line) => line.trim().replace(/^(?:[-*•–—+]|\d{1,2}[.)])\s+/, "").replace(/\s+/g, " ");

  function moved(text, line, to) {
    const lines = text.split("\n");
    const at = lines.findIndex((l) => bare(l) === line || bare(l).startsWith(line + " ("));
    if (at < 0) return null;
    const [raw] = lines.splice(at, 1);
    const entry = "- " + bare(raw);
    const head = lines.findIndex((l) => HEADERS[to].includes(l.trim().toLowerCase()));
    if (head < 0) {
      while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
      lines.push("", to === "like" ? "Likes:" : "Avoids:", entry);
    } else {
      lines.splice(head + 1, 0, entry);
    }
    return lines.join("\n");
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-switch-line]");
    const box = document.querySelector('[data-testid="profile-text"]');
    if (!button || !box) return;
    const text = moved(box.value, button.dataset.switchLine, button.dataset.switchTo);
    if (text === null) return;
    box.value = text;
    box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  });
})();
