// Check-in alerts pop up on every open front-desk page: a Server-Sent Event stream per page
// (guestrel.alerts.views.stream). The browser reconnects by itself with Last-Event-ID; a stream
// the server refused (too many open, or the session ended) is opened again after a pause, from
// the last event this page showed, so nothing raised meanwhile is missed.
(function () {
  "use strict";
  var box = document.getElementById("live-alerts");
  if (!box || !window.EventSource) {
    return;
  }
  var reopenAfterMs = 15000;
  var streamUrl = new URL(box.dataset.stream, window.location.href);
  var source = null;

  function selector(alertId) {
    return '[data-alert-id="' + String(alertId).replace(/[^0-9]/g, "") + '"]';
  }

  function show(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var popup = holder.firstElementChild;
    if (!popup || box.querySelector(selector(popup.dataset.alertId))) {
      return;
    }
    box.prepend(popup);
    if (window.htmx) {
      window.htmx.process(popup);
    }
    var button = popup.querySelector("button");
    if (button) {
      button.focus({preventScroll: true});
    }
  }

  function close(alertId) {
    box.querySelectorAll(selector(alertId)).forEach(function (popup) { popup.remove(); });
  }

  function remember(event) {
    if (event.lastEventId) {
      streamUrl.searchParams.set("after", event.lastEventId);
    }
  }

  function open() {
    source = new EventSource(streamUrl.toString());
    source.addEventListener("alert", function (event) { remember(event); show(event.data); });
    source.addEventListener("acknowledged", function (event) { remember(event); close(event.data); });
    source.addEventListener("open", function () { box.dataset.connected = "true"; });
    source.addEventListener("error", function () {
      box.dataset.connected = "false";
      if (source.readyState === EventSource.CLOSED) {
        window.setTimeout(open, reopenAfterMs);
      }
    });
  }

  open();
})();
