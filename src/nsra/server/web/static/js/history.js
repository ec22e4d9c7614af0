// The history's moments in the reader's own time zone and language (the server wrote them in
// its own time zone; without this script that text stays).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var format;
  try {
    format = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });
  } catch (e) {
    return;
  }
  document.querySelectorAll("table.history time[datetime]").forEach(function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (!isNaN(moment.getTime())) {
      el.textContent = format.format(moment);
    }
  });
})();
