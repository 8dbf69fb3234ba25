(function () {
  "use strict";
  var doc = document;
  var table = doc.getElementById("findings-table");
  var form = doc.getElementById("finding-filters");
  if (!table || !form) { return; }
  doc.documentElement.className += " js";
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var count = doc.getElementById("finding-count");
  var fields = {
    pack: doc.getElementById("filter-pack"),
    severity: doc.getElementById("filter-severity"),
    outcome: doc.getElementById("filter-outcome"),
    text: doc.getElementById("filter-text")
  };
  var PROBLEMS = ["fail", "error", "warn"];

  var showNa = doc.getElementById("show-na-findings");   // not-applicable rows: hidden on screen until ticked

  function apply() {
    var pack = fields.pack.value, severity = fields.severity.value, outcome = fields.outcome.value;
    var needle = fields.text.value.trim().toLowerCase();
    var shown = 0;
    if (showNa && outcome === "not_applicable") { showNa.checked = true; }
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (!pack || d.pack === pack) &&
        (!severity || d.severity === severity) &&
        (!outcome || (outcome === "problems" ? PROBLEMS.indexOf(d.outcome) >= 0 : d.outcome === outcome)) &&
        (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0);
      row.hidden = !ok;
      if (ok && (!showNa || showNa.checked || d.outcome !== "not_applicable")) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " shown";
  }

  var KEYS = {
    index: function (d) { return Number(d.index); },
    outcome: function (d) { return Number(d.outcomeRank); },
    severity: function (d) { return -Number(d.severityRank); },
    pack: function (d) { return d.pack; },
    rule: function (d) { return d.rule; },
    where: function (d) { return d.where; }
  };

  function compare(a, b) {
    if (a < b) { return -1; }
    if (a > b) { return 1; }
    return 0;
  }

  var headers = Array.prototype.slice.call(table.tHead.querySelectorAll("th[data-sort]"));
  headers.forEach(function (th) {
    var key = th.getAttribute("data-sort");
    var button = doc.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    button.title = "Sort by " + th.textContent;
    // Chromium does not paint form controls in a table header repeated on later printed
    // pages: the print stylesheet hides the button and shows this plain-text copy instead.
    var label = doc.createElement("span");
    label.className = "print-only th-label";
    label.setAttribute("aria-hidden", "true");
    label.textContent = button.textContent;
    th.textContent = "";
    th.appendChild(button);
    th.appendChild(label);
    button.addEventListener("click", function () {
      var descending = th.getAttribute("aria-sort") === "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var keyOf = KEYS[key];
      var sorted = rows.slice().sort(function (a, b) {
        var c = compare(keyOf(a.dataset), keyOf(b.dataset));
        if (c === 0) { c = compare(Number(a.dataset.index), Number(b.dataset.index)); return c; }
        return descending ? -c : c;
      });
      sorted.forEach(function (row) { body.appendChild(row); });
    });
  });

  ["pack", "severity", "outcome"].forEach(function (name) {
    fields[name].addEventListener("change", apply);
  });
  fields.text.addEventListener("input", apply);
  if (showNa) { showNa.addEventListener("change", apply); }
  var printAll = doc.getElementById("print-all");
  if (printAll) {
    printAll.addEventListener("change", function () {
      doc.documentElement.classList.toggle("print-all", printAll.checked);
    });
  }
  // A link to a finding row (the verdict's blocking table, the requirements, the waiver register)
  // whose row the filters hide: clear the filters, then go to the row.
  doc.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) { return; }
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var row = id ? doc.getElementById(id) : null;
    if (!row || rows.indexOf(row) < 0 || !row.hidden) { return; }
    event.preventDefault();
    form.reset();
    apply();
    if (window.location.hash === "#" + id) { row.scrollIntoView(); } else { window.location.hash = id; }
  });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());
