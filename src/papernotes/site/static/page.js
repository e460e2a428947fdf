// Language switch for notes: "both", "zh" or "en", remembered between pages.
(function () {
  "use strict";
  var KEY = "papernotes.show";
  var root = document.documentElement;

  function remembered() {
    try {
      return window.localStorage.getItem(KEY);
    } catch (e) {
      return null; // storage can be disabled (private mode, file:// policies)
    }
  }

  function apply(value) {
    if (value !== "zh" && value !== "en") value = "both";
    if (value === "both") root.removeAttribute("data-show");
    else root.setAttribute("data-show", value);
    var buttons = document.querySelectorAll(".lang-switch button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].dataset.show === value));
    }
  }

  apply(remembered());
  document.addEventListener("DOMContentLoaded", function () {
    apply(remembered());
    var buttons = document.querySelectorAll(".lang-switch button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        var value = event.currentTarget.dataset.show;
        try {
          window.localStorage.setItem(KEY, value);
        } catch (e) {
          /* not remembered, still applied */
        }
        apply(value);
      });
    }
  });
})();
