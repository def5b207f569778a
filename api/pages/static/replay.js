// Replay: step through a case's events (buttons, ← / → keys) and jump to a date.
// Every step is rendered by the server; this only shows one at a time.
(function () {
  "use strict";
  var box = document.getElementById("steps");
  if (!box) { return; }
  var steps = Array.prototype.slice.call(box.querySelectorAll("section.step"));
  var number = document.getElementById("step-number");
  var current = parseInt(box.getAttribute("data-current"), 10) || 1;

  function show(n) {
    current = Math.min(Math.max(n, 1), steps.length);
    steps.forEach(function (s, i) { s.hidden = (i + 1 !== current); });
    number.textContent = String(current);
    history.replaceState(null, "", "?step=" + current);
  }

  document.getElementById("prev-step").addEventListener("click", function (e) { e.preventDefault(); show(current - 1); });
  document.getElementById("next-step").addEventListener("click", function (e) { e.preventDefault(); show(current + 1); });
  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if (e.key === "ArrowLeft") { e.preventDefault(); show(current - 1); }
    if (e.key === "ArrowRight") { e.preventDefault(); show(current + 1); }
  });
  document.getElementById("replay-controls").addEventListener("submit", function (e) {
    var day = document.getElementById("jump-date").value;
    if (!day) { return; }
    e.preventDefault();
    var reached = 1; // the last step that happened on or before the day
    steps.forEach(function (s, i) { if (s.getAttribute("data-day") <= day) { reached = i + 1; } });
    show(reached);
  });
})();
