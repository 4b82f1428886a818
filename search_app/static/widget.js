/* healthsearch search box: suggestions as you type, for any page of a site.
 *
 * Embed:  <link rel="stylesheet" href="https://SEARCH-HOST/static/widget.css">
 *         <script src="https://SEARCH-HOST/static/widget.js" defer></script>
 * then mark a <form> holding an <input name="q">, or an empty element, with
 * data-healthsearch.  Without JavaScript the form still submits to /search.
 *
 * The box follows the WAI-ARIA 1.2 combobox pattern (listbox popup, focus stays
 * in the input, aria-activedescendant names the option chosen with the arrows).
 * Text from the server only ever becomes DOM text (textContent), never markup,
 * and nothing here needs inline script or style, so a strict CSP holds.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  const DELAY_MS = 120;
  let widgets = 0;

  // The app serves this file at BASE/static/widget.js, so BASE is two steps up.
  const base = new URL(script?.dataset.base || (script?.src ? new URL("../", script.src).href : "/"), location.href);

  function setting(host, name, fallback) {
    return host.dataset[name] || script?.dataset[name] || fallback;
  }

  function element(tag, className, attributes = {}) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  function createForm(host) {
    const form = element("form", "hs-form", { role: "search", method: "get" });
    form.action = new URL(setting(host, "action", "search"), base).href;
    const id = `hs-input-${widgets}`;
    const label = element("label", "hs-visually-hidden", { for: id });
    label.textContent = setting(host, "label", "Search health articles");
    const input = element("input", "hs-input", { id, name: "q", type: "search" });
    input.placeholder = setting(host, "placeholder", "Search conditions, symptoms, treatments");
    const button = element("button", "hs-button", { type: "submit" });
    button.textContent = "Search";
    form.append(label, input, button);
    host.append(form);
    return form;
  }

  // Marks are [start, end) in code points, as the server counts them.
  function markedText(parent, text, marks) {
    const chars = Array.from(text);
    let last = 0;
    for (const [start, end] of marks) {
      if (start < last || end <= start) continue;
      parent.append(document.createTextNode(chars.slice(last, start).join("")));
      const mark = element("mark", "hs-mark");
      mark.textContent = chars.slice(start, end).join("");
      parent.append(mark);
      last = end;
    }
    parent.append(document.createTextNode(chars.slice(last).join("")));
  }

  function enhance(host) {
    if (host.dataset.hsReady) return;
    host.dataset.hsReady = "1";
    widgets += 1;
    const form = host.tagName === "FORM" ? host : host.querySelector("form") || createForm(host);
    const input = form.querySelector('input[name="q"]');
    if (!input) return;
    const api = new URL(setting(host, "api", "api/suggest"), base);
    const limit = setting(host, "limit", "");
    const n = widgets;

    const combo = element("span", "hs-combo");
    input.replaceWith(combo);
    const listbox = element("ul", "hs-listbox", { id: `hs-listbox-${n}`, role: "listbox" });
    listbox.setAttribute("aria-label", "Suggestions");
    listbox.hidden = true;
    const status = element("div", "hs-visually-hidden", { role: "status", "aria-live": "polite" });
    combo.append(input, listbox, status);
    input.classList.add("hs-input");
    for (const [name, value] of Object.entries({
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": listbox.id,
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      enterkeyhint: "search",
    })) input.setAttribute(name, value);

    let items = [];
    let active = -1;
    let timer = 0;
    let controller = null;
    const cache = new Map();

    function announce(text) {
      // the same words twice in a row are not re-read by every screen reader; nudge them
      status.textContent = status.textContent === text ? `${text}\u00a0` : text;
    }

    function setActive(index) {
      const options = listbox.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      setActive(-1);
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function open() {
      if (!items.length) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function go(index) {
      const item = items[index];
      if (item) location.assign(new URL(item.url, api).href);
    }

    function render(suggestions) {
      items = suggestions;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      listbox.replaceChildren(
        ...suggestions.map((item, i) => {
          const option = element("li", `hs-option hs-${item.kind}`, {
            id: `hs-option-${n}-${i}`,
            role: "option",
            "aria-selected": "false",
          });
          markedText(option, item.text, item.marks || []);
          // keep focus in the box: a mouse or finger press must not blur the input first
          option.addEventListener("mousedown", (event) => event.preventDefault());
          option.addEventListener("click", () => go(i));
          return option;
        }),
      );
      if (suggestions.length) {
        open();
        const count = suggestions.length === 1 ? "1 suggestion" : `${suggestions.length} suggestions`;
        announce(`${count}. Use the up and down arrows to choose.`);
      } else {
        close();
        announce("No suggestions.");
      }
    }

    function request(query) {
      if (cache.has(query)) return render(cache.get(query));
      controller?.abort(); // a newer keystroke makes the answer in flight useless
      controller = new AbortController();
      const url = new URL(api);
      url.searchParams.set("q", query);
      if (limit) url.searchParams.set("limit", limit);
      fetch(url, { signal: controller.signal, credentials: "omit" })
        .then((response) => (response.ok ? response.json() : { suggestions: [] }))
        .then((data) => {
          cache.set(query, data.suggestions);
          if (input.value.trim() === query && document.activeElement === input) render(data.suggestions);
        })
        .catch((error) => {
          if (error.name !== "AbortError") close(); // offline or refused: the plain form still works
        });
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      const query = input.value.trim();
      if (query.length < 2) {
        controller?.abort();
        items = [];
        close();
        return;
      }
      timer = setTimeout(() => request(query), DELAY_MS);
    });

    input.addEventListener("keydown", (event) => {
      const isOpen = !listbox.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!items.length) return;
        event.preventDefault();
        if (!isOpen) return open();
        // the options and the box itself form one cycle: past the last option is the typed text again
        const states = items.length + 1;
        const current = active === -1 ? items.length : active;
        const next = (current + (event.key === "ArrowDown" ? 1 : -1) + states) % states;
        setActive(next === items.length ? -1 : next);
      } else if (event.key === "Enter" && isOpen && active >= 0) {
        event.preventDefault();
        go(active);
      } else if (event.key === "Escape") {
        if (isOpen) {
          event.preventDefault();
          close();
        } else if (input.value) {
          input.value = "";
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", close);
    window.addEventListener("pageshow", close); // coming back to a page kept in the back/forward cache
    input.addEventListener("focus", () => {
      if (input.value.trim().length >= 2 && items.length) open();
    });
  }

  function typingIn(target) {
    return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // "/" focuses the first search box from anywhere, as on many sites, unless typing already
  function slash(event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
    const input = document.querySelector("[data-hs-ready] .hs-input");
    if (!input) return;
    event.preventDefault();
    input.focus();
    input.select();
  }

  function start() {
    document.querySelectorAll("[data-healthsearch]").forEach(enhance);
    document.addEventListener("keydown", slash);
  }

  window.HealthSearch = { enhance };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
