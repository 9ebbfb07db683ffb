// Gmina search as you type: fills the field's list from the public API (/v1/places). Reading the pages needs no
// script; this only helps finding a gmina's name and TERC code.
(function () {
  "use strict";
  var input = document.getElementById("gmina");
  var list = document.getElementById("gminy");
  if (!input || !list || !window.fetch) { return; }
  var timer = null;
  var asked = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = input.value.trim();
      if (text.length < 2 || text === asked || /\(\d{7}\)$/.test(text)) { return; }
      asked = text;
      var url = input.getAttribute("data-places") + "?level=gmina&per_page=10&q=" + encodeURIComponent(text);
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (page) {
          while (list.firstChild) { list.removeChild(list.firstChild); }
          page.items.forEach(function (place) {
            var option = document.createElement("option");
            option.value = place.name + " (" + place.code + ")";
            list.appendChild(option);
          });
        })
        .catch(function () { /* the form still works: the server finds the gmina by its name */ });
    }, 200);
  });
})();
