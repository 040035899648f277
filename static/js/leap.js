// Small enhancements; every page works without them. (base.html sets the "js" class early,
// so the phone menu starts closed without a flash.)

document.addEventListener("DOMContentLoaded", () => {
  // A print button where it helps (the transcript); browsers print without it too.
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });

  // Evidence drafts: live word counts, and answers saved a moment after typing stops.
  document.querySelectorAll("textarea[data-word-limit]").forEach((area) => {
    const out = document.querySelector(`[data-word-count-for="${area.id}"]`);
    const limit = Number(area.dataset.wordLimit);
    const update = () => {
      const words = (area.value.match(/\S+/g) || []).length;
      if (out) out.textContent = `${words} of ${limit} words${words > limit ? ": over the limit" : ""}.`;
      area.setAttribute("aria-invalid", String(words > limit));
    };
    area.addEventListener("input", update);
    update();
  });
  const draft = document.querySelector("form[data-autosave]");
  if (draft) {
    const status = draft.querySelector("[data-autosave-status]");
    // Read the attribute, not `draft.action`: the form's buttons are named "action", and a
    // named control shadows the form's own property of that name.
    const target = new URL(draft.getAttribute("action") || "", window.location.href);
    let timer;
    const save = async () => {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", draft.querySelector("[name=csrfmiddlewaretoken]").value);
      data.append("action", "autosave");
      draft.querySelectorAll("textarea").forEach((t) => data.append(t.name, t.value));
      let result = null;
      try {
        const response = await fetch(target, {
          method: "POST",
          body: data,
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if ((response.headers.get("Content-Type") || "").includes("application/json")) {
          result = await response.json();
        } else {
          status.textContent = response.redirected || response.status === 403
            ? "Not saved: you may have been signed out. Use “Save draft”; what you typed stays here."
            : `Not saved (the server answered ${response.status}). Use “Save draft”; what you typed stays here.`;
          return;
        }
      } catch (error) {
        status.textContent = "Not saved: check your connection. Use “Save draft” when it is back.";
        return;
      }
      status.textContent = result.saved
        ? `Draft saved at ${new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}.`
        : `Not saved: ${result.problems.join(" ")}`;
    };
    draft.querySelectorAll("textarea").forEach((area) => area.addEventListener("input", () => {
      clearTimeout(timer);
      status.textContent = "Changes not saved yet…";
      timer = setTimeout(save, 1500);
    }));
  }

  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("site-nav");
  if (!toggle || !nav) return;
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("is-open", open);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.classList.contains("is-open")) {
      toggle.setAttribute("aria-expanded", "false");
      nav.classList.remove("is-open");
      toggle.focus();
    }
  });
});
