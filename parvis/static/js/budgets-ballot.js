/* The running total of a participatory-budget ballot: the cost of the ticked projects against
   the envelope (approval), the number of projects chosen (k-approval), or the points shared
   (cumulative). Progressive enhancement only: the server checks every ballot and says what is
   wrong, so the ballot works the same without this script. Texts come from the page (data-*
   attributes, translated by the server). */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "fr";
  var euros = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) { return key in values ? values[key] : match; });
  }

  function setUp(fieldset) {
    var output = fieldset.querySelector("[data-ballot-total]");
    if (!output) { return; }
    var type = fieldset.dataset.type;
    var amount = parseInt(fieldset.dataset.amount, 10);
    var maxProjects = parseInt(fieldset.dataset.maxProjects, 10);
    var points = parseInt(fieldset.dataset.points, 10);

    function update() {
      var text;
      var over = false;
      if (type === "cumulative") {
        var used = 0;
        fieldset.querySelectorAll("[data-points-input]").forEach(function (input) {
          var value = parseInt(input.value, 10);
          if (!isNaN(value) && value > 0) { used += value; }
        });
        text = fill(output.dataset.pointsUsed, { used: used, points: points });
        if (used > points) {
          over = true;
          text += " " + fill(output.dataset.pointsOver, { over: used - points });
        }
      } else {
        var ticked = fieldset.querySelectorAll("input[type=checkbox]:checked");
        if (type === "approval") {
          var total = 0;
          ticked.forEach(function (box) { total += parseInt(box.dataset.cost, 10) || 0; });
          text = fill(output.dataset.approval, { total: euros.format(total), amount: euros.format(amount) });
          if (total > amount) {
            over = true;
            text += " " + fill(output.dataset.over, { over: euros.format(total - amount) });
          }
        } else {
          text = fill(output.dataset.count, { count: ticked.length, max: maxProjects });
          over = ticked.length > maxProjects;
        }
      }
      output.textContent = text;
      output.classList.toggle("ballot__total--over", over);
    }

    fieldset.addEventListener("input", update);
    fieldset.addEventListener("change", update);
    output.hidden = false;
    update();
  }

  document.querySelectorAll("[data-ballot]").forEach(setUp);
})();
