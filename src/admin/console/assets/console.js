// The console's only script. Every page works without it; it adds a confirmation before steps that
// cannot be undone, stops a form from being sent twice on a slow connection, and reads a chosen
// holiday file into the text box the upload form posts. Written in plain ES2015 for older webviews.
(function () {
  'use strict';

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var message = form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // getAttribute, not form.method: a field named "method" (the delivery form's) shadows the property.
    if ((form.getAttribute('method') || '').toLowerCase() === 'post') {
      if (form.getAttribute('data-sent')) {
        event.preventDefault();
        return;
      }
      form.setAttribute('data-sent', '1');
    }
  });

  // On a phone the menu scrolls sideways: keep the current page's entry in sight, not cut off.
  var current = document.querySelector('.top nav a[aria-current="page"]');
  if (current) {
    var list = current.parentNode && current.parentNode.parentNode;
    if (list && list.scrollWidth > list.clientWidth) {
      var at = current.getBoundingClientRect();
      var box = list.getBoundingClientRect();
      list.scrollLeft += at.left - box.left - (box.width - at.width) / 2;
    }
  }

  // Leaving the page and coming back with the browser's back button restores it from the cache.
  window.addEventListener('pageshow', function () {
    var sent = document.querySelectorAll('form[data-sent]');
    for (var i = 0; i < sent.length; i++) sent[i].removeAttribute('data-sent');
  });

  document.addEventListener('change', function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.files || !input.files[0]) return;
    var target = document.getElementById(input.getAttribute('data-fills') || '');
    if (!target) return;
    var reader = new FileReader();
    reader.onload = function () {
      target.value = String(reader.result);
    };
    reader.readAsText(input.files[0], 'utf-8');
  });
})();
