// Small enhancements; every page works without them. (js-class.js sets the "js" class early,
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
  // First, drop the device copies this page must not keep (shared computers).
  tidyDeviceDrafts();
  document.querySelectorAll("form[data-autosave]").forEach(draftKeeper);
  document.querySelectorAll("[data-dropzone]").forEach(dropZone);
  document.querySelectorAll("form[data-keep-on-device]").forEach(deviceKeeper);
  // A sent or closed submission: its copy on this device is not needed any more.
  document.querySelectorAll("[data-draft-done]").forEach((done) => {
    deviceDrafts()?.removeItem(DRAFT_PREFIX + done.dataset.draftDone);
  });

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

// ---- Evidence drafts that never lose what was typed (autosave, two tabs, signed out) ----
// Answers save a moment after typing stops. Every save says which revision of the answers
// it was typed on; a save from an older one (another tab saved since) is refused with a
// warning, and autosave waits for the learner to choose. Until the server confirms a
// save, the text is also kept on this device (localStorage, keyed by person and
// submission), so a sign-out in the middle loses nothing: after signing in again the
// form brings it back. Copies are removed once saved, once sent, and at log-out (and see
// "Device copies on shared computers" below).

const DRAFT_PREFIX = "leap-draft:";

// ---- Device copies on shared computers (wt-fixa) ----
// Every copy's key starts with the id of the person who typed it
// (leap-draft:<user>:<kind>:<id>) and its value holds the time it was kept ("at").
// On every page (base.html says whose it is in body[data-user]):
// - signed in: copies of anyone else, and copies older than 3 days, are dropped;
// - signed out, on the log-in page on the way back to a form (a "next" to return to, as
//   the signed-out notice and an expired session give): only the copies of the person
//   last signed in on this device, made in the last 24 hours, are kept, so they come back
//   after that person signs in again;
// - signed out anywhere else: every copy is dropped.
// Any form that posts to the log-out address drops every copy as it is sent.
const DRAFT_OWNER = "leap-drafts-owner"; // who was last signed in here (not a copy)
const DRAFT_MAX_AGE = 3 * 24 * 60 * 60 * 1000;
const SIGNED_OUT_MAX_AGE = 24 * 60 * 60 * 1000;

function draftKeys(store) {
  return Object.keys(store).filter((key) => key.startsWith(DRAFT_PREFIX));
}

function clearDeviceDrafts() {
  const store = deviceDrafts();
  if (!store) return;
  draftKeys(store).forEach((key) => store.removeItem(key));
  store.removeItem(DRAFT_OWNER);
}

function samePath(url, other) {
  if (!url || !other) return false;
  return new URL(url, window.location.href).pathname === new URL(other, window.location.href).pathname;
}

// The log-in page reached on the way back to a form (?next=, also kept by the form
// through a mistyped password), or the sign-in code page that follows it for staff (the
// log-in is half done there, and allauth keeps where it leads).
function signingBackIn() {
  if (samePath(window.location.href, document.body.dataset.loginCodeUrl)) return true;
  if (!samePath(window.location.href, document.body.dataset.loginUrl)) return false;
  const next = new URLSearchParams(window.location.search).get("next")
    || document.querySelector("form input[name=next]")?.value;
  return Boolean(next);
}

function tidyDeviceDrafts() {
  const store = deviceDrafts();
  if (!store) return;
  const user = document.body.dataset.user || "";
  let keepFor = user;
  let maxAge = DRAFT_MAX_AGE;
  if (!user && signingBackIn()) {
    keepFor = store.getItem(DRAFT_OWNER) || "";
    maxAge = SIGNED_OUT_MAX_AGE;
  }
  const now = Date.now();
  draftKeys(store).forEach((key) => {
    let at = NaN;
    try {
      at = Number(JSON.parse(store.getItem(key) || "null")?.at);
    } catch (error) {
      at = NaN; // unreadable: dropped
    }
    const owner = key.slice(DRAFT_PREFIX.length).split(":")[0];
    const fresh = at > now - maxAge; // false for NaN too
    if (!keepFor || owner !== keepFor || !fresh) store.removeItem(key);
  });
  try {
    if (user) store.setItem(DRAFT_OWNER, user);
    else if (!keepFor) store.removeItem(DRAFT_OWNER);
  } catch (error) {
    /* storage full or refused */
  }
}

// Delegated, so every log-out form counts: the header's, allauth's own page, the
// invitation's "Log out and continue".
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (samePath(form.getAttribute("action") || window.location.href, document.body.dataset.logoutUrl)) {
    clearDeviceDrafts();
  }
});

function deviceDrafts() {
  try {
    return window.localStorage;
  } catch (error) {
    return null; // storage switched off: the form still works, without the device copy
  }
}

function clockTime(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function draftKeeper(draft) {
  const status = draft.querySelector("[data-autosave-status]");
  const notice = draft.querySelector("[data-draft-notice]");
  const revision = draft.querySelector("input[name=revision]");
  const areas = [...draft.querySelectorAll("textarea")];
  const store = deviceDrafts();
  const key = DRAFT_PREFIX + draft.dataset.draftKey;
  // Read the attribute, not `draft.action`: the form's buttons are named "action", and a
  // named control shadows the form's own property of that name.
  const target = new URL(draft.getAttribute("action") || "", window.location.href);
  let timer;
  let paused = false; // after a conflict or a sign-out, until the learner chooses

  const values = () => Object.fromEntries(areas.map((area) => [area.name, area.value]));
  const same = (a, b) => areas.every((area) => (a[area.name] || "") === (b[area.name] || ""));
  const readCopy = () => {
    try {
      return JSON.parse(store?.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  };
  const keepCopy = () => {
    try {
      store?.setItem(key, JSON.stringify({ answers: values(), revision: Number(revision.value), at: Date.now() }));
    } catch (error) {
      /* storage full or refused: the server copy is all there is */
    }
  };
  const dropCopy = () => store?.removeItem(key);

  // A notice with choices (a conflict, a sign-out, a restored copy). role="alert" on the
  // container announces it; the choices are real buttons and links.
  const showNotice = (text, choices = []) => {
    notice.replaceChildren();
    const p = document.createElement("p");
    p.textContent = text;
    notice.append(p);
    if (choices.length) {
      const row = document.createElement("p");
      row.className = "draft-notice__choices";
      choices.forEach((choice) => row.append(choice));
      notice.append(row);
    }
    notice.hidden = false;
  };
  const hideNotice = () => {
    notice.hidden = true;
    notice.replaceChildren();
  };
  const choiceButton = (label, onClick, primary = false) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = primary ? "button button--primary button--small" : "button button--small";
    button.textContent = label;
    button.addEventListener("click", onClick);
    return button;
  };
  const restore = (copy) => {
    areas.forEach((area) => {
      if (typeof copy.answers[area.name] === "string") {
        area.value = copy.answers[area.name];
        area.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  };

  const save = async () => {
    if (paused) return;
    const sent = values();
    const data = new FormData();
    data.append("csrfmiddlewaretoken", draft.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("action", "autosave");
    data.append("revision", revision.value);
    areas.forEach((area) => data.append(area.name, area.value));
    let response;
    let result = null;
    try {
      response = await fetch(target, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if ((response.headers.get("Content-Type") || "").includes("application/json")) {
        result = await response.json();
      }
    } catch (error) {
      status.textContent = "Not saved: check your connection. Your text is kept on this device; we will try again when you type.";
      return;
    }
    if (!result) {
      if (response.redirected || response.status === 401 || response.status === 403) {
        // Signed out (the session ended, or the log-in was refreshed elsewhere).
        paused = true;
        keepCopy();
        status.textContent = "Not saved: you've been signed out.";
        const link = document.createElement("a");
        link.href = draft.dataset.loginUrl;
        link.className = "button button--primary button--small";
        link.textContent = "Sign in to save it";
        showNotice("You've been signed out. Your text is kept on this device — sign in to save it.", [link]);
      } else {
        status.textContent = `Not saved (the server answered ${response.status}). Your text is kept on this device; use “Save draft”.`;
      }
      return;
    }
    if (result.conflict) {
      paused = true;
      keepCopy();
      status.textContent = "Not saved: this draft was changed in another tab or window.";
      showNotice(result.problems.join(" "), [
        choiceButton("Save my version", () => {
          revision.value = String(result.revision); // replace the other version, knowingly
          paused = false;
          hideNotice();
          keepCopy();
          save();
        }, true),
        choiceButton("Reload to see the other version", () => {
          dropCopy();
          window.location.reload();
        }),
      ]);
      return;
    }
    if (typeof result.revision === "number") revision.value = String(result.revision);
    if (result.saved) {
      if (same(values(), sent)) dropCopy(); // the server has every word
      else keepCopy(); // typed on while saving: keep the newer text, on the new revision
      status.textContent = `Draft saved at ${clockTime(new Date())}.`;
    } else {
      status.textContent = `Not saved: ${result.problems.join(" ")}`;
    }
  };

  areas.forEach((area) => area.addEventListener("input", (event) => {
    if (!event.isTrusted) return; // a restore fires input for the word counts only
    keepCopy();
    if (paused) return;
    clearTimeout(timer);
    status.textContent = "Changes not saved yet…";
    timer = setTimeout(save, 1500);
  }));
  // A full post (Save draft, Submit) may meet a sign-out too: the copy stays until a later
  // page shows the server has the text.
  draft.addEventListener("submit", keepCopy);

  // Coming back: text typed on this device that never reached the server.
  const copy = readCopy();
  if (!copy || !copy.answers) return;
  if (same(copy.answers, values())) {
    if (draft.dataset.serverHasText === "true") dropCopy();
    return;
  }
  const typedAt = clockTime(new Date(copy.at));
  if (copy.revision === Number(revision.value)) {
    // Typed on top of the version the server still has: it is the newer text.
    restore(copy);
    showNotice(`We brought back the text you typed on this device at ${typedAt}, which had not been saved. Saving it now.`);
    save();
  } else {
    // The draft was saved elsewhere since: never replace that without asking.
    showNotice(
      `This device has text you typed at ${typedAt} that was not saved, and the draft has been changed since in another tab or window.`,
      [
        choiceButton("Bring back my text from this device", () => {
          restore(copy);
          hideNotice();
          keepCopy();
          save();
        }, true),
        choiceButton("Keep the saved version", () => {
          dropCopy();
          hideNotice();
        }),
      ],
    );
  }
}

// ---- File inputs with drag and drop (wt-evid) ----
// The native file input stays (keyboard, screen readers, no script); the zone around it
// also takes dropped files, lists what was chosen with sizes, and refuses a wrong kind or
// a file over the limit at once, in words. The server checks every file again.

function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

function dropZone(zone) {
  const input = zone.querySelector("input[type=file]");
  const list = zone.querySelector("[data-dropzone-files]");
  const error = zone.querySelector("[data-dropzone-error]");
  const hint = zone.querySelector("[data-dropzone-hint]");
  if (!input || typeof DataTransfer === "undefined") return;
  const maxBytes = Number(zone.dataset.maxBytes);
  const room = Math.max(Number(zone.dataset.maxFiles) - Number(zone.dataset.taken || 0), 0);
  const extensions = (input.accept || "").split(",").map((e) => e.trim().toLowerCase()).filter(Boolean);
  hint.hidden = false;
  zone.classList.add("dropzone--ready");

  const problemWith = (file) => {
    const dot = file.name.lastIndexOf(".");
    const extension = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    if (extensions.length && !extensions.includes(extension)) {
      return `“${file.name}” can't be added here: this part takes ${zone.dataset.kinds}.`;
    }
    if (file.size > maxBytes) {
      return `“${file.name}” is ${fileSize(file.size)}; each file can be at most ${fileSize(maxBytes)}.`;
    }
    return "";
  };

  const take = (files) => {
    const problems = [];
    const kept = new DataTransfer();
    [...files].forEach((file) => {
      const problem = problemWith(file);
      if (problem) problems.push(problem);
      else if (kept.files.length >= room) problems.push(`“${file.name}” was not added: there is room for ${room} more here.`);
      else kept.items.add(file);
    });
    input.files = kept.files;
    list.replaceChildren(...[...kept.files].map((file) => {
      const item = document.createElement("li");
      item.textContent = `Ready to upload: ${file.name} (${fileSize(file.size)})`;
      return item;
    }));
    error.hidden = !problems.length;
    error.textContent = problems.length ? `${problems.join(" ")} Choose another file.` : "";
  };

  input.addEventListener("change", () => take(input.files));
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("dropzone--over");
  }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, (event) => {
    if (name === "dragleave" && zone.contains(event.relatedTarget)) return;
    zone.classList.remove("dropzone--over");
  }));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer?.files?.length) take(event.dataTransfer.files);
  });
}

// ---- Other forms people write in (wt-evid): a review's feedback, a step's reflection, a
// self-assessment. What is typed or chosen is kept on this device until the server shows
// it back, so a sign-out, a refused post or a closed tab loses nothing: the form brings it
// back (and says so) the next time it opens. A copy sent with the form is dropped on the
// next signed-in page that no longer shows that form (the post went through); logging out
// drops them all.

function formState(form) {
  const state = {};
  form.querySelectorAll("textarea[name], select[name], input[type=radio][name], input[type=checkbox][name]").forEach((field) => {
    if (field.type === "radio") {
      if (!(field.name in state)) state[field.name] = "";
      if (field.checked) state[field.name] = field.value;
    } else if (field.type === "checkbox") {
      state[`${field.name}=${field.value}`] = field.checked ? "on" : "";
    } else {
      state[field.name] = field.value;
    }
  });
  return state;
}

function formStateApply(form, state) {
  form.querySelectorAll("textarea[name], select[name], input[type=radio][name], input[type=checkbox][name]").forEach((field) => {
    if (field.type === "radio") {
      if (field.name in state) field.checked = field.value === state[field.name];
    } else if (field.type === "checkbox") {
      const key = `${field.name}=${field.value}`;
      if (key in state) field.checked = state[key] === "on";
    } else if (field.name in state && !field.readOnly && !field.disabled) {
      field.value = state[field.name];
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
}

function deviceKeeper(form) {
  const store = deviceDrafts();
  if (!store) return;
  const key = DRAFT_PREFIX + form.dataset.keepOnDevice;
  const keep = () => {
    try {
      store.setItem(key, JSON.stringify({ state: formState(form), at: Date.now() }));
    } catch (error) {
      /* storage full or refused */
    }
  };
  let copy = null;
  try {
    copy = JSON.parse(store.getItem(key) || "null");
  } catch (error) {
    copy = null;
  }
  if (copy && copy.state) {
    const shown = formState(form);
    // Compared as words: the server trims what it saves, and that is no loss.
    const words = (text) => String(text).replace(/\s+/g, " ").trim();
    const differs = Object.keys(copy.state).some((name) => name in shown && words(shown[name]) !== words(copy.state[name]));
    if (!differs) {
      store.removeItem(key); // the page shows what was kept: the server has it
    } else {
      formStateApply(form, copy.state);
      const note = document.createElement("p");
      note.className = "draft-notice draft-notice--restored";
      note.setAttribute("role", "status");
      note.textContent = `We brought back what you wrote here on this device at ${clockTime(new Date(copy.at))}, which had not been saved. Check it, then save.`;
      form.prepend(note);
    }
  }
  form.addEventListener("input", (event) => {
    if (event.isTrusted) keep();
  });
  form.addEventListener("change", keep);
  form.addEventListener("submit", keep);
}

// ---- Cohort check-in code (issue 12, wt-coh2) ----
// The facilitator's code screen counts down and fetches the new code as the minute turns
// (and every 10 s for the number checked in). Without JavaScript, the page's link reloads.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-checkin-code]");
  if (!box) return;
  const digits = box.querySelector("[data-code]");
  const seconds = box.querySelector("[data-seconds]");
  const checkedIn = box.querySelector("[data-checked-in]");
  let left = Number(box.querySelector("[data-seconds-left]")?.dataset.secondsLeft || 60);
  let wasOpen = Boolean(digits);
  const refresh = async () => {
    try {
      const response = await fetch(box.dataset.checkinCode, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const state = await response.json();
      if (state.is_open !== wasOpen) { window.location.reload(); return; }
      if (digits) digits.textContent = state.code;
      left = state.seconds_left;
      if (seconds) seconds.textContent = String(left);
      if (checkedIn) checkedIn.textContent = checkedIn.textContent.replace(/^\d+/, String(state.checked_in));
    } catch (error) {
      // Offline for a moment: the next tick tries again.
    }
  };
  let ticks = 0;
  window.setInterval(() => {
    left -= 1;
    ticks += 1;
    if (seconds && left >= 0) seconds.textContent = String(left);
    if (left <= 0 || ticks % 10 === 0) refresh();
  }, 1000);
});
