// The dashboard's risk diagram: hover or focus a marker to read the scenario and its spread,
// click (or Enter) to open it; filters hide markers; the analysts' spread can be hidden.
(function () {
  "use strict";
  var data = document.getElementById("diagram-points");
  var form = document.getElementById("diagram-filters");
  if (!data || !form) { return; }
  var points = JSON.parse(data.textContent);
  var tip = document.getElementById("diagram-tip");
  var count = document.getElementById("diagram-count");
  var markers = Array.prototype.slice.call(document.querySelectorAll(".diagram .marker"));
  // the figure becomes a group of links (an image may not hold focusable parts)
  document.querySelectorAll(".diagram svg[role=img]").forEach(function (svg) {
    svg.setAttribute("role", "group");
  });

  markers.forEach(function (m) {
    var p = points[m.getAttribute("data-id")];
    if (!p) { return; }
    m.setAttribute("tabindex", "0");
    m.setAttribute("role", "link");
    m.setAttribute("aria-label", p.text.split("\n")[0]);
    m.style.cursor = "pointer";
    function show() {
      tip.textContent = p.text;
      tip.hidden = false;
      markers.forEach(function (o) { o.classList.toggle("dim", o !== m); });
    }
    function hide() {
      tip.hidden = true;
      markers.forEach(function (o) { o.classList.remove("dim"); });
    }
    m.addEventListener("mouseenter", show);
    m.addEventListener("focus", show);
    m.addEventListener("mouseleave", hide);
    m.addEventListener("blur", hide);
    m.addEventListener("click", function () { window.location.href = p.href; });
    m.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); window.location.href = p.href; }
    });
  });

  function checked(name) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="' + name + '"]:checked'))
      .map(function (i) { return i.value; });
  }

  function apply() {
    var domains = checked("domain");
    var kinds = checked("malicious");
    var themeField = form.querySelector('select[name="theme"]');
    var theme = themeField ? themeField.value : "";
    var shown = 0;
    markers.forEach(function (m) {
      var p = points[m.getAttribute("data-id")];
      var on = !!p && domains.indexOf(p.domain) >= 0 &&
        kinds.indexOf(p.malicious ? "1" : "0") >= 0 && (!theme || p.theme === theme);
      m.style.display = on ? "" : "none";
      var id = m.getAttribute("data-id");
      document.querySelectorAll('.diagram [data-for="' + id + '"]').forEach(function (w) {
        w.style.display = on ? "" : "none";
      });
      if (on) { shown += 1; }
    });
    var spread = form.querySelector('input[name="uncertainty"]').checked;
    document.querySelectorAll(".diagram .whiskers").forEach(function (g) {
      g.style.display = spread ? "" : "none";
    });
    count.textContent = count.getAttribute("data-template") ?
      count.getAttribute("data-template").replace("{n}", shown).replace("{total}", markers.length) : "";
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
}());
