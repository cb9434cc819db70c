/* Service page: print and copy-link buttons (hidden without JavaScript). */
(function () {
  "use strict";
  var print = document.querySelector("[data-print]");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () {
      window.print();
    });
  }
  var copy = document.querySelector("[data-copy]");
  var status = document.getElementById("copy-status");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(
        function () {
          status.textContent = "Lien copié.";
        },
        function () {
          status.textContent = "Le lien n'a pas pu être copié.";
        }
      );
    });
  }
})();
