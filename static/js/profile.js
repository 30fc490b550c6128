// The preview's switches beside each line, before saving:
// - a line whose section header and words disagree ("anything with zombies"
//   under Avoids, "tired of zombie films" under Likes) can be read the other
//   way: the line moves to that section of the text and the reading is
//   recorded as the person's choice;
// - a line's label can be switched off (it then acts by meaning only) or
//   another chosen; a line acting on several ("jazz and blues") has a switch
//   and a choice for each (the stored concept joins the labels kept).
// Choices travel in the form's hidden "choices" field (line text -> choice)
// with the preview and the save, which stores them with the line; edits of
// other lines keep them.
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

  function choose(line, key, value) {
    const field = document.querySelector('[data-testid="line-choices"]');
    if (!field) return;
    let choices = {};
    try {
      choices = JSON.parse(field.value || "{}") || {};
    } catch {
      choices = {};
    }
    choices[line] = { ...(choices[line] || {}), [key]: value };
    field.value = JSON.stringify(choices);
  }

  const previewAgain = () => document.querySelector('[data-testid="profile-preview-button"]')?.click();

  document.addEventListener("click", (event) => {
    const box = document.querySelector('[data-testid="profile-text"]');
    const button = event.target.closest("[data-switch-line], button[data-concept-line]");
    if (!button || !box) return;
    if (button.dataset.switchLine !== undefined) {
      const text = moved(box.value, button.dataset.switchLine, button.dataset.switchTo);
      if (text === null) return;
      choose(button.dataset.switchLine, "polarity", button.dataset.switchTo);
      box.value = text;
    } else {
      choose(button.dataset.conceptLine, "concept", button.dataset.concept);
    }
    previewAgain();
  });

  document.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-concept-line]");
    if (!select || !select.value) return;
    choose(select.dataset.conceptLine, "concept", select.value);
    previewAgain();
  });
})();
