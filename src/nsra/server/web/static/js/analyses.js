// The Analyses page: (1) while a job runs, poll its state and move the progress bar; when it
// has finished (or failed), reload the page to show the results (or the message). Without this
// script the page has a refresh link. (2) The threat network: hovering or focusing a threat
// highlights what sets it off and what it sets off (nodes and links, followed along the
// chains); the others are dimmed and a line below says which they are. Enter opens the threat.
(function () {
  "use strict";

  // -- progress of a running job ------------------------------------------------------------
  var job = document.getElementById("analysis-job");
  if (job) {
    var url = job.getAttribute("data-poll");
    var bar = document.getElementById("job-progress");
    var percent = document.getElementById("job-percent");
    var stage = document.getElementById("job-stage");
    var delay = 700;
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) { return; } // signed out or gone: the refresh link is still there
          if (s.status === "done" || s.status === "failed") {
            window.location.replace(window.location.pathname);
            return;
          }
          bar.value = s.progress;
          bar.textContent = Math.round(s.progress * 100) + " %";
          percent.textContent = Math.round(s.progress * 100) + " %";
          var text = s.status_label + (s.stage ? " · " + s.stage : "");
          if (stage.textContent !== text) { stage.textContent = text; }
          delay = Math.min(delay * 1.2, 3000);
          window.setTimeout(poll, delay);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, delay);
  }

  // -- the threat network ------------------------------------------------------------------
  var figure = document.getElementById("network-figure");
  if (!figure) { return; }
  var svg = figure.querySelector("svg");
  var tip = document.getElementById("network-tip");
  var base = figure.getAttribute("data-base") || "";
  var nodes = Array.prototype.slice.call(figure.querySelectorAll(".node[data-id]"));
  var links = Array.prototype.slice.call(figure.querySelectorAll(".link[data-source]"));
  var byId = {};
  var out = {};
  var into = {};
  nodes.forEach(function (n) {
    var id = n.getAttribute("data-id");
    byId[id] = n;
    out[id] = [];
    into[id] = [];
  });
  links.forEach(function (l) {
    var s = l.getAttribute("data-source");
    var t = l.getAttribute("data-target");
    if (out[s] && into[t]) { out[s].push(l); into[t].push(l); }
  });

  function label(n) {
    var title = n.querySelector("title");
    return title ? title.textContent : n.getAttribute("data-id");
  }

  // every threat reached from id along the links (end: "target" downstream, "source" up)
  function reach(id, edges, end) {
    var seen = {};
    var found = [];
    var used = [];
    var todo = [id];
    seen[id] = true;
    while (todo.length) {
      var at = todo.shift();
      edges[at].forEach(function (l) {
        used.push(l);
        var next = l.getAttribute("data-" + end);
        if (!seen[next]) { seen[next] = true; found.push(next); todo.push(next); }
      });
    }
    return { ids: found, links: used };
  }

  function names(ids) {
    if (!ids.length) { return tip.getAttribute("data-none"); }
    return ids.map(function (i) { return label(byId[i]); }).join("; ");
  }

  function pick(n) {
    var id = n.getAttribute("data-id");
    var up = reach(id, into, "source");
    var down = reach(id, out, "target");
    nodes.forEach(function (o) { o.classList.remove("on", "picked"); });
    links.forEach(function (l) { l.classList.remove("on"); });
    n.classList.add("on", "picked");
    up.ids.concat(down.ids).forEach(function (i) { byId[i].classList.add("on"); });
    up.links.concat(down.links).forEach(function (l) { l.classList.add("on"); });
    figure.classList.add("picking");
    tip.textContent = label(n) + "\n" + tip.getAttribute("data-causes") + ": " + names(up.ids) +
      "\n" + tip.getAttribute("data-effects") + ": " + names(down.ids);
    tip.hidden = false;
  }

  function unpick() {
    figure.classList.remove("picking");
    nodes.forEach(function (o) { o.classList.remove("on", "picked"); });
    links.forEach(function (l) { l.classList.remove("on"); });
    tip.hidden = true;
  }

  if (svg) { svg.setAttribute("role", "group"); }
  nodes.forEach(function (n) {
    var href = base + encodeURIComponent(n.getAttribute("data-id"));
    n.setAttribute("tabindex", "0");
    n.setAttribute("role", "link");
    n.setAttribute("aria-label", label(n));
    n.addEventListener("mouseenter", function () { pick(n); });
    n.addEventListener("focus", function () { pick(n); });
    n.addEventListener("mouseleave", unpick);
    n.addEventListener("blur", unpick);
    n.addEventListener("click", function () { window.location.href = href; });
    n.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); window.location.href = href; }
      if (e.key === "Escape") { unpick(); }
    });
  });
})();
