/* The visitors' pages, enhanced: recent searches kept in this browser only, the
 * filters open beside the results on wide screens, and stepping through the
 * search words marked on an article.  Everything works without this file; it
 * needs no inline script or style (the pages' CSP forbids both). */
(function () {
  "use strict";

  var KEY = "healthsearch.recent";
  var KEEP = 8;

  function readRecent() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(saved) ? saved.filter(function (q) { return typeof q === "string"; }) : [];
    } catch (error) {
      return [];  // storage off or full: no recent searches, nothing broken
    }
  }

  function writeRecent(list) {
    try {
      if (list.length) window.localStorage.setItem(KEY, JSON.stringify(list));
      else window.localStorage.removeItem(KEY);
    } catch (error) { /* storage off: nothing kept */ }
  }

  function remember(query) {
    var text = query.trim();
    if (!text) return;
    var list = readRecent().filter(function (q) { return q.toLowerCase() !== text.toLowerCase(); });
    list.unshift(text);
    writeRecent(list.slice(0, KEEP));
  }

  function showRecent(section) {
    var list = readRecent();
    var holder = section.querySelector("[data-recent-list]");
    holder.textContent = "";
    list.forEach(function (query) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/search?q=" + encodeURIComponent(query);
      link.textContent = query;  // text only: a query never becomes markup
      item.appendChild(link);
      holder.appendChild(item);
    });
    section.hidden = list.length === 0;
  }

  function recentSearches() {
    var heading = document.querySelector("h1[data-query]");
    if (heading) remember(heading.getAttribute("data-query") || "");
    var section = document.querySelector("[data-recent]");
    if (!section) return;
    showRecent(section);
    section.querySelector("[data-recent-clear]").addEventListener("click", function () {
      writeRecent([]);
      showRecent(section);
      var box = document.querySelector("input[name=q]");
      if (box) box.focus();
    });
  }

  function filtersBesideResults() {
    var filters = document.querySelector("[data-filters]");
    if (!filters || !window.matchMedia) return;
    var wide = window.matchMedia("(min-width: 48rem)");
    var follow = function () { filters.open = wide.matches; };
    follow();
    if (wide.addEventListener) wide.addEventListener("change", follow);
  }

  function markSteps() {
    var bar = document.querySelector("[data-mark-steps]");
    if (!bar) return;
    var marks = Array.prototype.slice.call(document.querySelectorAll("article section mark"));
    if (!marks.length) return;
    var count = bar.querySelector("[data-mark-count]");
    var at = -1;
    var go = function (step) {
      if (at >= 0) marks[at].classList.remove("current");
      at = (at + step + marks.length) % marks.length;
      marks[at].classList.add("current");
      marks[at].scrollIntoView({ block: "center" });
      count.textContent = "Match " + (at + 1) + " of " + marks.length;
    };
    count.textContent = marks.length + (marks.length === 1 ? " match" : " matches");
    bar.querySelector("[data-mark-next]").addEventListener("click", function () { go(1); });
    bar.querySelector("[data-mark-prev]").addEventListener("click", function () { go(-1); });
    bar.hidden = false;
  }

  function start() {
    recentSearches();
    filtersBesideResults();
    markSteps();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
